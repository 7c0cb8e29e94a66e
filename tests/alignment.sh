#!/bin/sh
# alignment.sh -- aligned_alloc under the launcher behaves as the C
# library does without it (glibc 2.36 takes any alignment and rounds it
# up, 2.38 refuses one that is not a power of two): examples/odd_alignment
# prints the same lines and exits 0 with and without deadbyte, and
# deadbyte warns once per call whose alignment is not a power of two,
# saying what it did.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
PROG="$top_builddir/examples/odd_alignment"
[ -x "$DEADBYTE" ] || { echo "alignment.sh: $DEADBYTE not built" >&2; exit 99; }
[ -x "$PROG" ] || { echo "alignment.sh: $PROG not built" >&2; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }

"$PROG" >"$tmp/plain.out" 2>"$tmp/plain.err"
plain=$?
"$DEADBYTE" "$PROG" >"$tmp/db.out" 2>"$tmp/db.err"
db=$?
if [ "$plain" -eq 0 ] && [ "$db" -eq 0 ] && cmp -s "$tmp/plain.out" "$tmp/db.out"; then
    pass "aligned_alloc gives what the C library gives ($(grep -c 'a block' "$tmp/plain.out") blocks, $(grep -c NULL "$tmp/plain.out") NULL)"
else
    fail "plain exit $plain, under deadbyte exit $db; output (plain, then deadbyte's):"
    diff -u "$tmp/plain.out" "$tmp/db.out" | sed 's/^/    /'
fi

# One warning for each alignment that is not a power of two (24, 48, 24,
# 3, 0, 100 and SIZE_MAX / 2 + 2), in the form that matches the result.
warnings=$(grep -c '^deadbyte: warning: aligned_alloc: alignment [0-9]* is not a power of two; ' "$tmp/db.err")
rounded=$(grep -c '^deadbyte: warning: aligned_alloc: alignment 24 is not a power of two; using 32, as the C library does$' "$tmp/db.err")
refused=$(grep -c '^deadbyte: warning: aligned_alloc: alignment 24 is not a power of two; returning EINVAL$' "$tmp/db.err")
if grep -q '^aligned_alloc(24, 48): a block aligned on 32$' "$tmp/plain.out"; then
    expected_rounded=2 expected_refused=0
else
    expected_rounded=0 expected_refused=2
fi
if [ "$warnings" -eq 7 ] && [ "$rounded" -eq "$expected_rounded" ] &&
   [ "$refused" -eq "$expected_refused" ] && [ ! -s "$tmp/plain.err" ]; then
    pass "one warning per alignment that is not a power of two, saying what was done"
else
    fail "$warnings warnings (7 expected); stderr under deadbyte:"
    sed 's/^/    /' "$tmp/db.err"
fi
[ "$failures" -eq 0 ]
