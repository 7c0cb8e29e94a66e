#!/bin/sh
# process_end.sh -- the check at the end of a process, however it ends.
# After exit, a report no longer aborts: stdout's buffered output reaches
# its file as in a plain run, then the process exits with 134 (overflow
# and write after free found at exit; the launcher and the preload
# library alone).  Before _exit, _Exit and exec the heap is checked too
# (each example overflows a block, then ends that way: 134 and the
# report).  A correct program that starts children with vfork + exec and
# posix_spawn runs clean, with every leak report on: nothing is checked
# in a vfork child, which runs on its parent's memory.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
[ -x "$DEADBYTE" ] || { echo "process_end.sh: $DEADBYTE not built" >&2; exit 99; }
PRELOAD="$top_builddir/lib/.libs/libdeadbyte-preload.so"
[ -f "$PRELOAD" ] || { echo "process_end.sh: $PRELOAD not built" >&2; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
passes=0
failures=0

pass() { echo "PASS: $1"; passes=$((passes + 1)); }
fail() {
    echo "FAIL: $1"
    echo "    exit status $status; stdout, then stderr:"
    sed 's/^/    /' "$tmp/out" "$tmp/err"
    failures=$((failures + 1))
}

# run NAME -- COMMAND...: COMMAND, stdout to a file, cores off.
run() {
    shift 2
    (ulimit -c 0; "$@" >"$tmp/out" 2>"$tmp/err" </dev/null)
    status=$?
}

# caught NAME STDOUT FATAL-LINE -- COMMAND...: COMMAND exits 134, its
# stdout file holds STDOUT (what a plain run writes) and its report ends
# with FATAL-LINE.
caught() {
    name=$1 want_out=$2 want_fatal=$3
    shift 3
    run "$name" "$@"
    if [ "$status" -eq 134 ] && [ "$(cat "$tmp/out")" = "$want_out" ] &&
       grep -qxF -- "$want_fatal" "$tmp/err"; then
        pass "$name"
    else
        fail "$name: wanted status 134, stdout '$want_out', '$want_fatal'"
    fi
}

ex="$top_builddir/examples"
for name in overflow_at_exit write_after_free overflow__exit \
            overflow__Exit overflow_exec spawn_children; do
    [ -x "$ex/$name" ] || { echo "process_end.sh: $ex/$name not built" >&2; exit 99; }
done

# What the plain programs write: the report must not lose it.
plain_overflow=$("$ex/overflow_at_exit")
plain_after_free=$("$ex/write_after_free")
[ "$plain_overflow" = "filled: x" ] &&
    [ "$plain_after_free" = "$(printf 'session 7 opened\nsession closed')" ] ||
    { echo "process_end.sh: the examples' plain output changed" >&2; exit 99; }

overflow_line="Fatal error: deadbyte_check_heap: bad trailing pad byte"
caught "overflow at exit keeps stdout" "$plain_overflow" "$overflow_line" \
    -- "$DEADBYTE" "$ex/overflow_at_exit"
caught "write after free at exit keeps stdout" "$plain_after_free" \
    "Fatal error: deadbyte_check_heap: write after free" \
    -- "$DEADBYTE" "$ex/write_after_free"
caught "overflow at exit, preload library alone" "$plain_overflow" \
    "$overflow_line" -- env LD_PRELOAD="$PRELOAD" "$ex/overflow_at_exit"

# ended NAME FUNCTION EXAMPLE: EXAMPLE overflows a block, then calls
# FUNCTION: caught, and the check's traceback starts at that call (in
# main; its file and line when the symbolizer can read them).
ended() {
    caught "$1" "" "$overflow_line" -- "$DEADBYTE" "$ex/$3"
    if grep -A1 '^Detected by deadbyte_check_heap at' "$tmp/err" |
       grep -Eq "^  #0 .* in main( [^ ]*examples/$3\.c:[0-9]+)?$"; then
        pass "$1: detected at the call of $2"
    else
        fail "$1: the traceback does not start at the call of $2"
    fi
}
ended "overflow, then _exit(0)" _exit overflow__exit
ended "overflow, then _Exit(0)" _Exit overflow__Exit
ended "overflow, then execv" execv overflow_exec

# vfork + exec (and _exit after a failed exec) and posix_spawn: the same
# output as a plain run, status 0, no report at all.
plain_spawn=$("$ex/spawn_children")
run "spawn_children" -- "$DEADBYTE" --leaks=all "$ex/spawn_children"
if [ "$status" -eq 0 ] && [ ! -s "$tmp/err" ] &&
   [ "$(cat "$tmp/out")" = "$plain_spawn" ]; then
    pass "vfork and posix_spawn children run clean"
else
    fail "vfork and posix_spawn children: wanted status 0 and no report"
fi

# _exit from a signal handler that may have interrupted the allocator:
# exit 0, never hang; at most a note that the heap was not checked.  A
# hang is cut by timeout(1), where there is one.
prog="$top_builddir/tests/exit_in_handler"
[ -x "$prog" ] || { echo "process_end.sh: $prog not built" >&2; exit 99; }
limit=
command -v timeout >/dev/null 2>&1 && limit="timeout 20"
note="deadbyte: _exit: the heap is not checked: this thread holds a lock of deadbyte's (a signal handler interrupted the allocator?)"
bad=0 i=0
while [ "$i" -lt 20 ]; do
    i=$((i + 1))
    run "exit_in_handler" -- $limit "$DEADBYTE" "$prog"
    if [ "$status" -ne 0 ] || { [ -s "$tmp/err" ] &&
                                 [ "$(cat "$tmp/err")" != "$note" ]; }; then
        bad=$((bad + 1))
        [ "$bad" -eq 1 ] && fail "_exit in a signal handler: run $i"
    fi
done
[ "$bad" -eq 0 ] && pass "_exit in a signal handler: 20 runs, exit 0"

# The same with exit(0), which many programs call from a handler: the
# check at exit must not wait for deadbyte's own lock (it hung), nor give
# the quarantine back to a C library allocator the signal interrupted
# (glibc aborted: "corrupted size vs. prev_size").
note="deadbyte: exit: the heap is not checked: this thread holds a lock of deadbyte's (a signal handler interrupted the allocator?)"
bad=0 i=0
while [ "$i" -lt 20 ]; do
    i=$((i + 1))
    run "exit_in_handler exit" -- $limit "$DEADBYTE" "$prog" exit
    if [ "$status" -ne 0 ] || { [ -s "$tmp/err" ] &&
                                 [ "$(cat "$tmp/err")" != "$note" ]; }; then
        bad=$((bad + 1))
        [ "$bad" -eq 1 ] && fail "exit in a signal handler: run $i"
    fi
done
[ "$bad" -eq 0 ] && pass "exit in a signal handler: 20 runs, exit 0"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
