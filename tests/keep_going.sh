#!/bin/sh
# keep_going.sh -- --keep-going and --error-exitcode (issue 15).
# - examples/five_bugs: with --keep-going, five reports (one "Fatal
#   error:" line each, all different), the program's last line, exit 1;
#   --error-exitcode 7 exits 7, 0 keeps the program's 0; without
#   --keep-going the first report stops it with 134.  The same with
#   guard pages on every block (a fault goes on too), and with the heap
#   checked at every call.  No block is reported twice, none as a leak.
# - tests/keep_going: threads reporting at once (one report per block:
#   4 overflows, 1 double free of one block by 4 threads, 1 at exit), the
#   check at exit reporting every damaged block, realloc of a damaged and
#   of a freed block, a write after free found when the block leaves the
#   quarantine, a block read past its end 3 times: reported once; and
#   faults reported from a program's alternate signal stack; sprintf's
#   output clipped at the end of the block still.
# - The library alone (DEADBYTE_KEEP_GOING): the same five reports; the
#   exit status is the program's (--error-exitcode is the launcher's).
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
PRELOAD="$top_builddir/lib/.libs/libdeadbyte-preload.so"
FIVE="$top_builddir/examples/five_bugs"
PROG="$top_builddir/tests/keep_going"
for f in "$DEADBYTE" "$PRELOAD" "$FIVE" "$PROG"; do
    [ -x "$f" ] || { echo "keep_going.sh: $f not built" >&2; exit 99; }
done
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "PASS: $1"; }
fail() {
    echo "FAIL: $1; stdout, stderr:"
    sed 's/^/    /' "$tmp/out" "$tmp/err"
    failures=$((failures + 1))
}
# run PROGRAM ARGS...: under the launcher, no core dump.
run() {
    (ulimit -c 0; exec "$DEADBYTE" "$@" </dev/null >"$tmp/out" 2>"$tmp/err")
    status=$?
}
# expect WHAT STATUS ERRORS LAST: the run's exit status, its number of
# "Fatal error:" lines (each different), no leak report, and LAST as the
# last line of its standard output ("" for none).
expect() {
    what=$1 want_status=$2 want_errors=$3 want_last=$4
    errors=$(grep -c '^Fatal error: ' "$tmp/err")
    distinct=$(grep '^Fatal error: ' "$tmp/err" | sort -u | wc -l)
    last=$(tail -n 1 "$tmp/out")
    if [ "$status" -ne "$want_status" ]; then
        fail "$what: exit status $status, not $want_status"
    elif [ "$errors" -ne "$want_errors" ]; then
        fail "$what: $errors reports, not $want_errors"
    elif [ "$last" != "$want_last" ]; then
        fail "$what: the last line of its output is '$last', not '$want_last'"
    elif grep -q 'leak of ' "$tmp/err"; then
        fail "$what: a leak reported"
    else
        pass "$what"
    fi
}

# ---- Five bugs -----------------------------------------------------------
for extra in "" --guard-pages=all --guard-pages=all,underflow \
    --check-every=1; do
    run --keep-going $extra "$FIVE"
    expect "five_bugs --keep-going $extra" 1 5 "five_bugs: done"
    if [ "$(grep '^Fatal error: ' "$tmp/err" | sort -u | wc -l)" -ne 5 ]; then
        fail "five_bugs --keep-going $extra: a bug reported twice"
    fi
done
# The five, in the program's order.
run --keep-going "$FIVE"
grep '^Fatal error: ' "$tmp/err" >"$tmp/fatal"
cat >"$tmp/want" <<'END'
Fatal error: free: bad trailing pad byte
Fatal error: free: bad leading pad byte
Fatal error: free: double free
Fatal error: memcpy: read past the end of a block
Fatal error: free: invalid pointer
END
if cmp -s "$tmp/fatal" "$tmp/want"; then
    pass "five_bugs: the five reports, in order"
else
    fail "five_bugs: the reports differ: $(diff "$tmp/want" "$tmp/fatal" | tr '\n' ' ')"
fi
run --keep-going --guard-pages=all "$FIVE"
if grep -q '^Fatal error: guard page: write past the end of a block$' \
    "$tmp/err"; then
    pass "five_bugs --guard-pages=all: the fault reported, and gone past"
else
    fail "five_bugs --guard-pages=all: no report of the fault"
fi
run --keep-going --error-exitcode 7 "$FIVE"
expect "five_bugs --error-exitcode 7" 7 5 "five_bugs: done"
run --keep-going --error-exitcode 0 "$FIVE"
expect "five_bugs --error-exitcode 0" 0 5 "five_bugs: done"
(DEADBYTE_KEEP_GOING=1 DEADBYTE_ERROR_EXITCODE=3; export DEADBYTE_KEEP_GOING \
    DEADBYTE_ERROR_EXITCODE; run "$FIVE"; exit $status)
status=$?
expect "five_bugs, DEADBYTE_KEEP_GOING=1 DEADBYTE_ERROR_EXITCODE=3" 3 5 \
    "five_bugs: done"
run "$FIVE"
expect "five_bugs without --keep-going" 134 1 ""
run --keep-going=no "$FIVE"
expect "five_bugs --keep-going=no" 134 1 ""

# ---- The library alone ----------------------------------------------------
(ulimit -c 0; DEADBYTE_KEEP_GOING=1 LD_PRELOAD="$PRELOAD" \
    exec "$FIVE" </dev/null >"$tmp/out" 2>"$tmp/err")
status=$?
expect "five_bugs, the library alone" 0 5 "five_bugs: done"

# ---- Threads, the check at exit, realloc, the quarantine ------------------
for extra in "" --guard-pages=all; do
    for i in 1 2 3; do
        run --keep-going $extra "$PROG" threads
        expect "threads --keep-going $extra (run $i)" 1 6 "threads: done"
    done
    run --keep-going $extra "$PROG" exit
    expect "exit --keep-going $extra: every damaged block" 1 3 "exit: done"
    run --keep-going $extra "$PROG" realloc
    expect "realloc --keep-going $extra" 1 2 "realloc: done"
    if grep -q '^realloc: data kept$' "$tmp/out" &&
        grep -q '^realloc: new block$' "$tmp/out"; then
        pass "realloc --keep-going $extra: the new blocks"
    else
        fail "realloc --keep-going $extra: the data was not kept"
    fi
    run --keep-going $extra "$PROG" repeat
    expect "repeat --keep-going $extra: one block, one report" 1 1 \
        "repeat: done"
    run --keep-going $extra "$PROG" altstack
    expect "altstack --keep-going $extra" 1 3 "altstack: done"
done
run --keep-going --quarantine=4K "$PROG" evict
expect "evict --keep-going" 1 1 "evict: done"
if grep -q '^Fatal error: free: write after free$' "$tmp/err"; then
    pass "evict: found when the block left the quarantine"
else
    fail "evict: not found by a free"
fi
run --keep-going --guard-pages=no "$PROG" sprintf
expect "sprintf --keep-going" 1 1 "sprintf: done"
if grep -q '^sprintf: 20, clipped$' "$tmp/out"; then
    pass "sprintf --keep-going: the output stays in the block"
else
    fail "sprintf --keep-going: the output was not clipped"
fi
run "$PROG" threads
expect "threads without --keep-going" 134 1 ""

[ "$failures" -eq 0 ]
