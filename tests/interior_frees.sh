#!/bin/sh
# interior_frees.sh -- interior pointers passed to the preloaded free and
# realloc: at the start, middle and end of a 100-byte block, in blocks
# from calloc, memalign and realloc, in a large block, in a block among
# many of its size and in one freed already.  Each time deadbyte stops the
# program (exit status 134) naming the block the pointer falls in: its
# address (the one the program printed), its size and allocator, and the
# offset.  examples/interior_free (launcher_examples.sh) is the 40-byte
# case with the full report.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
PROG="$top_builddir/tests/interior_frees"
[ -x "$DEADBYTE" ] || { echo "interior_frees.sh: $DEADBYTE not built" >&2; exit 99; }
[ -x "$PROG" ] || { echo "interior_frees.sh: $PROG not built" >&2; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }

# check HOW SIZE OFFSET NEIGHBOURS FUNC NAME [TAIL]: the report of FUNC
# given p+OFFSET of the SIZE-byte block that NAME allocated; TAIL ends the
# line (", which was freed already": then the block's dump is not looked
# at, as its header is DEADBYTE now).
check() {
    how=$1 size=$2 offset=$3 neighbours=$4 func=$5 name=$6 tail=${7-}
    what="$func of p+$offset in a $size-byte $how block${neighbours:+ among $neighbours}"
    (ulimit -c 0; exec "$DEADBYTE" "$PROG" "$how" "$size" "$offset" \
        ${neighbours:+"$neighbours"} >"$tmp/out" 2>"$tmp/err")
    status=$?
    p=$(sed -n 's/^block p=\(0x[0-9a-f]*\)$/\1/p' "$tmp/out")
    line="deadbyte: interior pointer: $func was given p+$offset, not the start p of the $size-byte block allocated with $name (call #[0-9]*)$tail"
    if [ "$status" -eq 134 ] && [ -n "$p" ] &&
       grep -q "^Debug memory block at address p=$p: " "$tmp/err" &&
       { [ -n "$tail" ] || { grep -q "^Debug memory block at address p=$p: API 'r' ($name)\$" "$tmp/err" &&
                             grep -q "^    $size bytes originally requested\$" "$tmp/err"; }; } &&
       grep -q "^$line\$" "$tmp/err" &&
       grep -q "^Fatal error: $func: interior pointer$" "$tmp/err"; then
        pass "$what"
    else
        fail "$what: exit status $status, block p=$p; stderr:"
        sed 's/^/    /' "$tmp/err"
    fi
}

check malloc 100 1 "" free malloc
check malloc 100 50 "" free malloc
check malloc 100 99 "" free malloc
check malloc 100 50 100000 free malloc
check calloc 100 64 "" free malloc
check memalign 100 16 "" free malloc
check realloc 100 96 "" free malloc
check realloc-call 100 8 "" realloc malloc
check freed 100 50 "" free malloc ", which was freed already"
check malloc 300000 123457 "" free malloc
check malloc 300000 299999 "" free malloc
[ "$failures" -eq 0 ]
