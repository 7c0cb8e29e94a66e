#!/bin/sh
# own_malloc.sh -- a program that defines malloc & co. itself keeps them
# under the launcher, so deadbyte checks none of its blocks: it must say
# so in one line (not stay silent) and leave the program's behaviour
# alone.  A program without an allocator of its own gets no such line
# (here: one that takes malloc's address; launcher_examples.sh: clean
# programs' stderr is unchanged).
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
PROG="$top_builddir/examples/own_malloc"
[ -x "$DEADBYTE" ] || { echo "own_malloc.sh: $DEADBYTE not built" >&2; exit 99; }
[ -x "$PROG" ] || { echo "own_malloc.sh: $PROG not built" >&2; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }

"$PROG" >"$tmp/plain.out" 2>"$tmp/plain.err"
plain=$?
"$DEADBYTE" "$PROG" >"$tmp/db.out" 2>"$tmp/db.err"
db=$?
if [ "$plain" -eq 0 ] && [ "$db" -eq 0 ] && cmp -s "$tmp/plain.out" "$tmp/db.out" &&
   grep -q '^made by our own malloc, grown; calloc gave 0; all three calls came here$' "$tmp/db.out"; then
    pass "the program runs as without deadbyte"
else
    fail "plain exit $plain, under deadbyte exit $db; output:"
    diff -u "$tmp/plain.out" "$tmp/db.out" | sed 's/^/    /'
fi

notice='^deadbyte: warning: malloc, calloc, realloc and free are defined in .*examples/own_malloc, ahead of deadbyte'"'"'s: the blocks they hand out are not checked$'
if [ "$(grep -c "$notice" "$tmp/db.err")" -eq 1 ] && [ "$(grep -c . "$tmp/db.err")" -eq 1 ]; then
    pass "one line says that deadbyte does not see its blocks"
else
    fail "no single notice line; stderr under deadbyte:"
    sed 's/^/    /' "$tmp/db.err"
fi

# Written where reports go: with --log-file, into the log, not on stderr.
"$DEADBYTE" --log-file="$tmp/log" "$PROG" >/dev/null 2>"$tmp/db2.err"
if [ "$(grep -c "$notice" "$tmp/log" 2>/dev/null)" = 1 ] && ! grep -q deadbyte "$tmp/db2.err"; then
    pass "--log-file: the notice goes to the log"
else
    fail "--log-file: log:"
    sed 's/^/    /' "$tmp/log" "$tmp/db2.err" 2>/dev/null
fi

# A program that only takes malloc's address (without PIE: its "malloc"
# is an undefined symbol with the address of its PLT entry) does not
# define it: no notice.
POINTER="$top_builddir/tests/malloc_pointer"
[ -x "$POINTER" ] || { echo "own_malloc.sh: $POINTER not built" >&2; exit 99; }
"$DEADBYTE" "$POINTER" >"$tmp/ptr.out" 2>"$tmp/ptr.err"
status=$?
if [ "$status" -eq 0 ] && [ ! -s "$tmp/ptr.err" ] &&
   [ "$(cat "$tmp/ptr.out")" = "through pointers" ]; then
    pass "malloc's address taken, not defined: no notice"
else
    fail "malloc_pointer: exit $status; stderr:"
    sed 's/^/    /' "$tmp/ptr.err"
fi
[ "$failures" -eq 0 ]
