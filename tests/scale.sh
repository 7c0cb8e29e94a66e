#!/bin/sh
# scale.sh -- deadbyte keeps its speed at scale (issue 12, items 7 and 8):
# allocations from N distinct call stacks (a recursive function whose
# path spells the allocation's number) take at most 6 times as long as
# as many from one stack of the same depth (a new stack is walked in
# full and stored, a repeated one is found by the walk's memo: 3 times
# failed now and then on a loaded machine, and the interning that
# collapsed took hundreds); and a 4 GiB block is made,
# checked and freed in about a second, without its pages.  N is
# SCALE_STACKS, 2^20 by default (about 2 s in all; the interning that
# collapsed on recursive code took minutes).  One line per check; exit 0, 1 on a failure, 99 when the test
# itself cannot run.
set -u

: "${top_builddir:?scale.sh: top_builddir is not set}"
DEADBYTE="$top_builddir/tool/deadbyte"
STACKS="$top_builddir/tests/many_stacks"
LARGE="$top_builddir/tests/large_block"
for prog in "$DEADBYTE" "$STACKS" "$LARGE"; do
    [ -x "$prog" ] || { echo "scale.sh: $prog not built" >&2; exit 99; }
done
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
n=${SCALE_STACKS:-1048576}

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
if [ -z "$same" ] || [ -z "$distinct" ] || [ -s "$tmp/same.err" ] ||
   [ -s "$tmp/distinct.err" ]; then
    fail "$n allocations: a run failed or wrote to stderr (same: '${same}', distinct: '${distinct}')"
    cat "$tmp/same.err" "$tmp/distinct.err"
elif [ "$distinct" -le $((6 * same + 100)) ]; then
    pass "$n allocations from $n stacks: $distinct ms, from one stack: $same ms"
else
    fail "$n allocations from $n stacks: $distinct ms, more than 6 times the $same ms from one stack"
fi

# large MODE BYTES: run large_block under the launcher; its stdout,
# stderr and exit status into $tmp/large.{out,err,status}.
large() {
    (ulimit -c 0; timeout 60 "$DEADBYTE" "$LARGE" "$1" "$2" \
        >"$tmp/large.out" 2>"$tmp/large.err")
    echo $? >"$tmp/large.status"
}

# 4 GiB: 0xCD at both ends, exact pads, a realloc that grows, a free;
# fast, and never resident (large_block checks its peak itself).
large clean 4294967296
status=$(cat "$tmp/large.status")
ms=$(grep -E '^[0-9]+$' "$tmp/large.out")
if [ "$status" -eq 77 ]; then
    echo "SKIP: malloc(4 GiB) failed: $(cat "$tmp/large.out")"
elif [ "$status" -eq 0 ] && [ -n "$ms" ] && [ "$ms" -le 2000 ] &&
     [ ! -s "$tmp/large.err" ]; then
    pass "4 GiB block made, grown, checked and freed in $ms ms, not resident"
else
    fail "4 GiB block: status $status, $(cat "$tmp/large.out")"
    cat "$tmp/large.err"
fi

# The pads of a large block stay exact: an overflow by one byte is caught.
large overflow 2097152
if [ "$(cat "$tmp/large.status")" -eq 134 ] &&
   grep -q '^Fatal error: free: bad trailing pad byte$' "$tmp/large.err"; then
    pass "2 MiB block: one byte past the end is caught at free"
else
    fail "2 MiB block: an overflow went unreported"
    cat "$tmp/large.out" "$tmp/large.err"
fi

# Its first bytes are filled with 0xDD at free and checked: a write there
# after free is caught.
large after-free 2097152
if [ "$(cat "$tmp/large.status")" -ne 0 ] &&
   grep -q 'changed after it was freed, the first at p+100 ' "$tmp/large.err" &&
   grep -q '^    Only the first and last 4096 bytes of its data were filled' \
       "$tmp/large.err"; then
    pass "2 MiB block: a write into its first bytes after free is caught"
else
    fail "2 MiB block: a write after free went unreported"
    cat "$tmp/large.out" "$tmp/large.err"
fi

[ "$failures" -eq 0 ]
