#!/bin/sh
# scale.sh -- deadbyte keeps its speed at scale (issue 12, items 7 and 8):
# allocations from N distinct call stacks (a recursive function whose
# path spells the allocation's number) take at most 3 times as long as
# as many from one stack of the same depth; and a 4 GiB block is made,
# checked and freed in about a second, without its pages.  N is
# SCALE_STACKS, 2^18 by default (the 2^20 takes a few seconds
# more).  One line per check; exit 0, 1 on a failure, 99 when the test
# itself cannot run.
set -u

: "${top_builddir:?scale.sh: top_builddir is not set}"
DEADBYTE="$top_builddir/tool/deadbyte"
STACKS="$top_builddir/tests/many_stacks"
for prog in "$DEADBYTE" "$STACKS"; do
    [ -x "$prog" ] || { echo "scale.sh: $prog not built" >&2; exit 99; }
done
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
n=${SCALE_STACKS:-262144}

failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# ms MODE: the milliseconds of N allocations under the launcher, or
# nothing if the run failed or took more than a minute (the table that
# never grew took minutes).
ms() {
    timeout 60 "$DEADBYTE" "$STACKS" "$1" "$n" 2>"$tmp/$1.err" |
        grep -E '^[0-9]+$'
}

same=$(ms same)
distinct=$(ms distinct)
if [ -z "$same" ] || [ -z "$distinct" ]; then
    fail "$n allocations: a run failed (same: '${same}', distinct: '${distinct}')"
    cat "$tmp/same.err" "$tmp/distinct.err"
elif [ "$distinct" -le $((3 * same + 100)) ]; then
    pass "$n allocations from $n stacks: $distinct ms, from one stack: $same ms"
else
    fail "$n allocations from $n stacks: $distinct ms, more than 3 times the $same ms from one stack"
fi

[ "$failures" -eq 0 ]
