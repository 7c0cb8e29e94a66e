#!/bin/sh
# after_error.sh -- what deadbyte does after a first error (issue 12,
# items 4-6).  A SIGABRT handler that calls free() on a bad pointer while
# a report ends the process gets a one-line note and SIGABRT, not a hang;
# a heap check that finds damage lets go of deadbyte's locks before it
# reports, so the handler and other threads can still allocate; a double
# free of an 8 MiB block is reported at once; a serial number overwritten
# by an overflow is said to be damaged, and the recorded one is given.
# A SIGABRT handler that ends the process after a report gets no second.
# Every run has a time limit: the bugs these tests guard against hang.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
[ -x "$DEADBYTE" ] || { echo "after_error.sh: $DEADBYTE not built" >&2; exit 99; }
DEADBYTE=$(cd "$(dirname "$DEADBYTE")" && pwd)/deadbyte
command -v timeout >/dev/null 2>&1 || { echo "SKIP: no timeout command"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$top_builddir" || exit 99
for name in crash_handler crash_handler_threads big_double_free serial_overflow; do
    [ -x "examples/$name" ] || { echo "after_error.sh: examples/$name not built" >&2; exit 99; }
done
passes=0
failures=0

pass() { echo "PASS: $1"; passes=$((passes + 1)); }
fail() {
    echo "FAIL: $1"
    sed 's/^/    /' "$tmp/err"
    failures=$((failures + 1))
}

# run SECONDS PROGRAM ARGS...: the program under deadbyte, killed after
# SECONDS (the time limit is inside the launcher, so that what is killed
# is the program: the launcher then exits 137).  Sets
# $status; output in $tmp/out and $tmp/err.
run() {
    limit=$1
    shift
    (ulimit -c 0; "$DEADBYTE" timeout -s KILL "$limit" "$@") \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
}

# has REGEX: a line of the program's stderr matches.
has() { grep -Eq "$1" "$tmp/err"; }

# A second error on the reporting thread: its note, and SIGABRT at once.
run 20 ./examples/crash_handler
if [ "$status" -eq 134 ] && has '^Fatal error: free: double free$' &&
   has '^deadbyte: a second error while reporting the first in process [0-9]+: free: double free; aborting$' &&
   [ "$(grep -c '^Fatal error:' "$tmp/err")" -eq 1 ]; then
    pass "crash_handler: a free() in the SIGABRT handler is noted, and the process aborts"
else
    fail "crash_handler: exit $status (134 expected; 137: killed at the time limit, a hang)"
fi

# The heap check reports outside its locks: the handler and the logger
# thread free blocks of the damaged block's registry shard.
for i in 1 2 3; do
    run 20 ./examples/crash_handler_threads
    if [ "$status" -eq 134 ] &&
       has '^crash handler: the logger thread wrote its last line$' &&
       has '^crash handler: records released$' &&
       has '^Fatal error: deadbyte_check_heap: bad trailing pad byte$'; then
        pass "crash_handler_threads (run $i): handler and thread allocate during the report"
    else
        fail "crash_handler_threads (run $i): exit $status (134 expected; 137: killed at the time limit, a hang)"
    fi
done
# ... and a clean heap is checked with threads running, and no word said.
run 20 ./examples/crash_handler_threads clean
if [ "$status" -eq 0 ] && [ ! -s "$tmp/err" ] && [ ! -s "$tmp/out" ]; then
    pass "crash_handler_threads clean: runs clean"
else
    fail "crash_handler_threads clean: exit $status (0 expected), or output"
fi

# A SIGABRT handler that ends the process with _exit or exit, or that
# forks a child that execs: one report, no "second error" (the check as
# it ended found the same damage again), none from the child, and no hang: the handler's status 3, or the launcher's 134 for
# a process that reported.
for how in _exit exit exec; do
    (ulimit -c 0; "$DEADBYTE" --check-every 1 timeout -s KILL 20 \
         ./tests/abort_then_exit $how) >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    if { [ "$status" -eq 3 ] || [ "$status" -eq 134 ]; } &&
       [ "$(grep -c '^Fatal error: deadbyte_check_heap: bad trailing pad byte$' "$tmp/err")" -eq 1 ] &&
       ! has 'second error'; then
        pass "abort_then_exit $how: one report"
    else
        fail "abort_then_exit $how: exit $status (3 or 134 expected), or a second report"
    fi
done

# A double free of an 8 MiB block: reported in well under 3 s (it took
# 9-12 s, a system call per byte).
run 3 ./examples/big_double_free
if [ "$status" -eq 134 ] && has '^Fatal error: free: double free$' &&
   has '8388608-byte block allocated with malloc'; then
    pass "big_double_free: reported within 3 s"
else
    fail "big_double_free: exit $status (134 expected; 137: killed at the time limit, too slow)"
fi

# A 20-byte overflow reaches the serial number: said so, and the number
# given is the recorded one, the same as --break-at's.
run 20 ./examples/serial_overflow
made=$(sed -n 's/^    The block was made by call #\([0-9]*\) .*/\1/p' "$tmp/err")
rerun=$(sed -n 's/^To stop when .* --break-at \([0-9]*\) .*/\1/p' "$tmp/err")
if [ "$status" -eq 134 ] &&
   has '^    The damage runs through the pad into the serial number at tail\+[0-9]+: it reads 0x4141414141414141, not the 1 deadbyte wrote there\.$' &&
   has "^    The block was made by call #1 to debug malloc/realloc \\(deadbyte's record of it\\)\\.$" &&
   [ "$made" = 1 ] && [ "$rerun" = 1 ]; then
    pass "serial_overflow: the damaged serial field is named, call #$made, --break-at $rerun"
else
    fail "serial_overflow: exit $status, call #$made, --break-at $rerun"
fi
# An overflow within the pad leaves the serial alone: the plain line.
run 20 ./examples/serial_overflow 8
if [ "$status" -eq 134 ] &&
   has '^    The block was made by call #1 to debug malloc/realloc\.$' &&
   ! has 'serial number'; then
    pass "serial_overflow 8: an intact serial field is shown as before"
else
    fail "serial_overflow 8: exit $status"
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
