#!/bin/sh
# suppressions.sh -- error suppressions, one kind at a time: an example
# with a bug of that kind, run under the launcher with
# "KEYWORD:PATTERN" naming a function of its tracebacks, shows no report,
# says "no error reported; 1 suppressed", and keeps its exit status
# (the report still stopped the process).  The same line with another
# kind's keyword, or a pattern that matches no frame, suppresses nothing.
# Then: the summary of several errors in several processes, by kind;
# a suppressed error beside a reported one; a leak suppression; and
# `deadbyte symbolize` on a report file of records.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
[ -x "$DEADBYTE" ] || { echo "suppressions.sh: $DEADBYTE not built" >&2; exit 99; }
DEADBYTE=$(cd "$(dirname "$DEADBYTE")" && pwd)/deadbyte
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$top_builddir" || exit 99
passes=0
failures=0
pass() { echo "PASS: $1"; passes=$((passes + 1)); }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }
show() { sed 's/^/    /' "$@"; }

# run SUPPRESSIONS COMMAND...: stderr in $tmp/err, status in $status.
run() {
    printf '%s\n' "$1" >"$tmp/supp"
    shift
    (ulimit -c 0; "$DEADBYTE" --suppressions="$tmp/supp" "$@" \
        >/dev/null 2>"$tmp/err" </dev/null)
    status=$?
}

# check_kind PROGRAM KEYWORD KIND FUNCTION OTHER: ./PROGRAM (or
# ./examples/PROGRAM; with ARG after a space) has one error of KIND with
# FUNCTION in a traceback; OTHER is another kind's keyword.
check_kind() {
    example=$1 keyword=$2 kind=$3 func=$4 other=$5
    case $example in
    */*) ;;
    *) example=examples/$example ;;
    esac
    prog=${example%% *}
    [ -x "$prog" ] || { echo "suppressions.sh: $prog not built" >&2; exit 99; }
    # shellcheck disable=SC2086
    set -- ./$example
    run "# a known bug
$keyword:$func" "$@"
    if [ "$status" -eq 134 ] && ! grep -q '^Fatal error: ' "$tmp/err" &&
       ! grep -q 'in process' "$tmp/err" &&
       [ "$(cat "$tmp/err")" = "deadbyte: no error reported; 1 suppressed" ]; then
        pass "$keyword:$func suppresses the $kind of $example"
    else
        fail "$keyword:$func on $example: status $status; stderr:"
        show "$tmp/err"
    fi
    for line in "$other:$func" "$keyword:no_such_function_here"; do
        run "$line" "$@"
        if [ "$status" -eq 134 ] && grep -q '^Fatal error: ' "$tmp/err" &&
           [ "$(tail -n 1 "$tmp/err")" = "deadbyte: 1 error ($kind) in 1 process" ]; then
            pass "$line leaves the $kind of $example"
        else
            fail "$line on $example: status $status; stderr:"
            show "$tmp/err"
        fi
    done
}

check_kind c_overflow overflow heap-buffer-overflow main underflow
check_kind c_underflow underflow heap-buffer-underflow main overflow
check_kind malloc_delete api-mismatch api-mismatch main double-free
check_kind size_field corrupt-header corrupt-header main overflow
check_kind sized_delete sized-delete sized-delete-mismatch main api-mismatch
check_kind double_free double-free double-free cleanup invalid-free
check_kind use_after_free use-after-free heap-use-after-free main write-after-free
check_kind realloc_freed realloc-freed realloc-of-freed main double-free
check_kind write_after_free write-after-free write-after-free main use-after-free
check_kind free_stack invalid-free invalid-free main interior-free
check_kind interior_free interior-free interior-free main invalid-free
check_kind 'tests/suppress_kinds track' tracked-block tracked-block free_tracked invalid-free
check_kind 'tests/suppress_kinds lock' lock-not-held lock-not-held malloc_unlocked tracked-block
# A pattern matches the file and module too, and ^ anchors to the name.
check_kind double_free double-free double-free 'double_free.c' invalid-free
check_kind double_free double-free double-free '^rel*e$' invalid-free

# Several errors in several processes: by count, then in the table's
# order; a suppressed one is counted apart.
run '' sh -c './examples/double_free; ./examples/c_overflow; ./examples/c_overflow; exit 0'
if [ "$(tail -n 1 "$tmp/err")" = "deadbyte: 3 errors (2 heap-buffer-overflow, 1 double-free) in 3 processes" ] &&
   [ "$(grep -c '^Fatal error: ' "$tmp/err")" -eq 3 ]; then
    pass "the summary of three errors, by kind"
else
    fail "three errors: stderr:"
    show "$tmp/err"
fi
run 'double-free:main' sh -c './examples/double_free; ./examples/c_overflow; exit 0'
if [ "$(tail -n 1 "$tmp/err")" = "deadbyte: 1 error (heap-buffer-overflow) in 1 process; 1 suppressed" ] &&
   [ "$(grep -c '^Fatal error: ' "$tmp/err")" -eq 1 ] &&
   grep -q '^Fatal error: free: bad trailing pad byte$' "$tmp/err"; then
    pass "one error suppressed beside one reported"
else
    fail "one suppressed, one reported: stderr:"
    show "$tmp/err"
fi

# --keep-going: every error of a run, counted by kind; the suppressed
# ones do not count for --error-exitcode.
[ -x examples/five_bugs ] || { echo "suppressions.sh: examples/five_bugs not built" >&2; exit 99; }
{
    (ulimit -c 0; "$DEADBYTE" --keep-going ./examples/five_bugs >/dev/null 2>"$tmp/err" </dev/null)
    status=$?
    if [ "$status" -eq 1 ] &&
       [ "$(tail -n 1 "$tmp/err")" = "deadbyte: 5 errors (2 heap-buffer-overflow, 1 heap-buffer-underflow, 1 double-free, 1 invalid-free) in 1 process" ]; then
        pass "--keep-going: five errors by kind"
    else
        fail "--keep-going: status $status; stderr:"
        show "$tmp/err"
    fi
    printf 'double-free:main\noverflow:main\n' >"$tmp/supp"
    (ulimit -c 0; "$DEADBYTE" --keep-going --suppressions="$tmp/supp" \
        ./examples/five_bugs >/dev/null 2>"$tmp/err" </dev/null)
    status=$?
    if [ "$status" -eq 1 ] && [ "$(grep -c '^Fatal error: ' "$tmp/err")" -eq 2 ] &&
       [ "$(tail -n 1 "$tmp/err")" = "deadbyte: 2 errors (1 heap-buffer-underflow, 1 invalid-free) in 1 process; 3 suppressed" ]; then
        pass "--keep-going: three of five errors suppressed"
    else
        fail "--keep-going, three suppressed: status $status; stderr:"
        show "$tmp/err"
    fi
    printf 'double-free:main\noverflow:main\nunderflow:main\ninvalid-free:main\n' >"$tmp/supp"
    (ulimit -c 0; "$DEADBYTE" --keep-going --suppressions="$tmp/supp" \
        ./examples/five_bugs >/dev/null 2>"$tmp/err" </dev/null)
    status=$?
    if [ "$status" -eq 0 ] &&
       [ "$(cat "$tmp/err")" = "deadbyte: no error reported; 5 suppressed" ]; then
        pass "--keep-going: every error suppressed, the program's status"
    else
        fail "--keep-going, all suppressed: status $status; stderr:"
        show "$tmp/err"
    fi
}

# Leaks: the process line goes with the first group shown.
run 'leak:lose_a_list' ./examples/leak
if [ "$status" -eq 0 ] && ! [ -s "$tmp/err" ]; then
    pass "leak:lose_a_list suppresses both groups, and the process line"
else
    fail "leak:lose_a_list: status $status; stderr:"
    show "$tmp/err"
fi

# A bad keyword: the file, the line and the keywords.
printf '# comment\n\noverflow:main\noverfow:main\n' >"$tmp/supp"
"$DEADBYTE" --suppressions="$tmp/supp" true 2>"$tmp/err"
status=$?
if [ "$status" -eq 125 ] &&
   grep -q "^deadbyte: $tmp/supp:4: expected 'KEYWORD:PATTERN', found 'overfow:main'; the keywords are leak, overflow, underflow, .*double-free" "$tmp/err"; then
    pass "a bad keyword names the file, the line and the keywords"
else
    fail "a bad keyword: status $status; stderr:"
    show "$tmp/err"
fi

# `deadbyte symbolize` on a report file of records: the report as the
# launcher showed it, without the summary.
mkdir "$tmp/reports"
(ulimit -c 0; "$DEADBYTE" --report-dir="$tmp/reports" ./examples/double_free \
    >/dev/null 2>"$tmp/err" </dev/null)
report=$(ls "$tmp/reports"/*.report 2>/dev/null | head -n 1)
if [ -n "$report" ] && [ "$(head -n 1 "$report")" = "deadbyte-records 1" ] &&
   "$DEADBYTE" symbolize "$report" >"$tmp/sym" 2>"$tmp/symerr" &&
   ! [ -s "$tmp/symerr" ] &&
   sed '$d' "$tmp/err" | cmp -s - "$tmp/sym" &&
   grep -q '^  #[0-9]* 0x[0-9a-f]* in cleanup .*examples/double_free.c:[0-9]*$' "$tmp/sym" &&
   "$DEADBYTE" symbolize <"$report" | cmp -s - "$tmp/sym"; then
    pass "deadbyte symbolize on a file of records"
else
    fail "deadbyte symbolize on records:"
    show "$tmp/sym" "$tmp/symerr"
    diff "$tmp/err" "$tmp/sym" | show
fi

# The same for a leak check: every group's record names the process,
# the text once.  The launcher leaves out the process's own summary line.
rm -f "$tmp/reports"/*
"$DEADBYTE" --report-dir="$tmp/reports" ./examples/leak >/dev/null 2>"$tmp/err" </dev/null
report=$(ls "$tmp/reports"/*.report 2>/dev/null | head -n 1)
sed '$d' "$tmp/err" >"$tmp/launcher"
if [ -n "$report" ] &&
   "$DEADBYTE" symbolize "$report" >"$tmp/sym" 2>"$tmp/symerr" &&
   ! [ -s "$tmp/symerr" ] &&
   [ "$(grep -c '^deadbyte: leak check in process ' "$tmp/sym")" -eq 1 ] &&
   grep -q '^deadbyte: leak summary: ' "$tmp/sym" &&
   grep -v '^deadbyte: leak summary: ' "$tmp/sym" | cmp -s - "$tmp/launcher"; then
    pass "deadbyte symbolize on the records of a leak check"
else
    fail "deadbyte symbolize on the records of a leak check:"
    show "$tmp/sym" "$tmp/symerr"
    diff "$tmp/err" "$tmp/sym" | show
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
