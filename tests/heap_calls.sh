#!/bin/sh
# heap_calls.sh -- deadbyte's own heap seen from a program under the
# launcher (tests/heap_calls.c): mallinfo2, malloc_trim and mallopt; a
# pointer into a block's header named with its block; many blocks pushed
# out of the quarantine by one free, a write after free among them
# caught; and a fork child that execs without touching the heap makes no
# report of its parent's damage (the parent makes it, once).
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
PROG="$top_builddir/tests/heap_calls"
[ -x "$DEADBYTE" ] || { echo "heap_calls.sh: $DEADBYTE not built" >&2; exit 99; }
[ -x "$PROG" ] || { echo "heap_calls.sh: $PROG not built" >&2; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "PASS: $1"; }
fail() {
    echo "FAIL: $1 (exit status $status); stdout, stderr:"
    sed 's/^/    /' "$tmp/out" "$tmp/err"
    failures=$((failures + 1))
}
# run OPTIONS... -- MODE: the program under the launcher.
run() {
    (ulimit -c 0; exec "$DEADBYTE" "$@" >"$tmp/out" 2>"$tmp/err")
    status=$?
}

run --quarantine 0 --leaks no "$PROG" mallinfo
if [ "$status" -eq 0 ] && [ "$(cat "$tmp/out")" = ok ] && [ ! -s "$tmp/err" ]; then
    pass "mallinfo2, malloc_trim and mallopt speak of deadbyte's heap"
else
    fail "mallinfo2, malloc_trim and mallopt"
fi

run "$PROG" header
p=$(sed -n 's/^block p=\(0x[0-9a-f]*\)$/\1/p' "$tmp/out")
if [ "$status" -eq 134 ] && [ -n "$p" ] &&
   grep -q "it lies in deadbyte's heap, outside the data of the 100-byte block at $p\.\$" "$tmp/err" &&
   grep -q "^Fatal error: free: invalid pointer\$" "$tmp/err"; then
    pass "free of a pointer into a block's header names the block"
else
    fail "free of a pointer into a block's header"
fi

run --quarantine 64K "$PROG" many-leave
if [ "$status" -eq 134 ] &&
   grep -q "^deadbyte: write after free: 1 byte of the 16-byte block .* changed after it was freed, the first at p+3 (found when the block left the quarantine)\$" "$tmp/err"; then
    pass "a write after free found among many blocks leaving at once"
else
    fail "a write after free among many blocks leaving at once"
fi

run --leaks no "$PROG" fork-exec
reports=$(grep -c "^Fatal error: " "$tmp/err")
if [ "$status" -eq 134 ] && [ "$reports" -eq 1 ] &&
   grep -q "^child status 0\$" "$tmp/out"; then
    pass "a fork child that only execs leaves its parent's damage to the parent"
else
    fail "a fork child that only execs ($reports reports)"
fi
[ "$failures" -eq 0 ]
