#!/bin/sh
# modes.sh -- the allocator modes of DEADBYTE_MALLOC and the statistics of
# DEADBYTE_MALLOCSTATS, end to end on the library examples: every mode
# runs a correct program clean with the same output; the modes with debug
# hooks catch an overflow, those without do not look; a bad mode name is
# a fatal error naming the valid ones; the statistics come at exit, also
# through the launcher's --stats.  One line per check; exit 0, 1 on a
# failure, 99 when the test itself cannot run.
set -u

: "${top_builddir:?modes.sh: top_builddir is not set}"
EXAMPLES="$top_builddir/examples"
DEADBYTE="$top_builddir/tool/deadbyte"
for prog in "$EXAMPLES/clean" "$EXAMPLES/overflow" "$EXAMPLES/domains_tour" \
    "$DEADBYTE"; do
    [ -x "$prog" ] || { echo "modes.sh: $prog not built" >&2; exit 99; }
done
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

failures=0
passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run NAME PROG [ENV...]: PROG's stdout, stderr and exit status into
# $tmp/NAME.{out,err,status}
run() {
    name=$1 prog=$2
    shift 2
    (ulimit -c 0; env "$@" "$prog" >"$tmp/$name.out" 2>"$tmp/$name.err") \
        2>/dev/null # the shell's "Aborted"
    echo $? >"$tmp/$name.status"
}

# clean NAME WHAT OUTPUT-CHECK...: the run NAME exited 0, wrote nothing
# to standard error, and OUTPUT-CHECK (a command) accepts its output.
clean() {
    name=$1 what=$2
    shift 2
    if [ "$(cat "$tmp/$name.status")" = 0 ] && [ ! -s "$tmp/$name.err" ] &&
        "$@"; then
        pass "$what"
    else
        fail "$what: exit $(cat "$tmp/$name.status"):"
        cat "$tmp/$name.out" "$tmp/$name.err" | sed 's/^/    /'
    fi
}

"$EXAMPLES/clean" >"$tmp/clean.expected" 2>/dev/null
for mode in default debug malloc malloc_debug pymalloc pymalloc_debug; do
    run clean "$EXAMPLES/clean" DEADBYTE_MALLOC=$mode
    clean clean "$mode: examples/clean runs clean, same output" \
        cmp -s "$tmp/clean.out" "$tmp/clean.expected"

    run tour "$EXAMPLES/domains_tour" DEADBYTE_MALLOC=$mode
    clean tour "$mode: examples/domains_tour (two threads, the lock check) runs clean" \
        grep -q '^a large buffer from the raw domain, and a tracked page; lists summed correctly' "$tmp/tour.out"

    run overflow "$EXAMPLES/overflow" DEADBYTE_MALLOC=$mode
    case $mode in
    malloc | pymalloc) # no hooks: nobody looks
        clean overflow "$mode: no debug hooks, the overflow goes unseen" true ;;
    *)
        if [ "$(cat "$tmp/overflow.status")" = 134 ] &&
            grep -q '^Fatal error: deadbyte_mem_free: bad trailing pad byte$' "$tmp/overflow.err"; then
            pass "$mode: the debug hooks catch the overflow"
        else
            fail "$mode: examples/overflow: exit $(cat "$tmp/overflow.status"):"
            sed 's/^/    /' "$tmp/overflow.err"
        fi ;;
    esac
done

# A name that is not a mode.
run bad "$EXAMPLES/clean" DEADBYTE_MALLOC=mimalloc
if [ "$(cat "$tmp/bad.status")" = 134 ] &&
    grep -q "^deadbyte: invalid value 'mimalloc' for DEADBYTE_MALLOC: expected default, debug, malloc, malloc_debug, pymalloc or pymalloc_debug$" "$tmp/bad.err"; then
    pass "a bad mode is a fatal error listing the valid ones"
else
    fail "DEADBYTE_MALLOC=mimalloc: exit $(cat "$tmp/bad.status"):"
    sed 's/^/    /' "$tmp/bad.err"
fi
"$DEADBYTE" --malloc=mimalloc true 2>"$tmp/bad_launcher.err"
status=$?
if [ $status = 125 ] &&
    grep -q "^deadbyte: invalid value 'mimalloc' for --malloc: expected default, debug, malloc, malloc_debug, pymalloc or pymalloc_debug$" "$tmp/bad_launcher.err"; then
    pass "the launcher refuses a bad --malloc (125)"
else
    fail "deadbyte --malloc=mimalloc: exit $status:"
    sed 's/^/    /' "$tmp/bad_launcher.err"
fi

# The statistics at exit: both parts, under a line naming the process.
run stats "$EXAMPLES/domains_tour" DEADBYTE_MALLOCSTATS=1
if [ "$(cat "$tmp/stats.status")" = 0 ] &&
    grep -q '^deadbyte: statistics in process [0-9]* (.*domains_tour):$' "$tmp/stats.err" &&
    grep -q '^Small block threshold = 512, in 32 size classes\.$' "$tmp/stats.err" &&
    grep -q '^# arenas allocated total  *= *[1-9]' "$tmp/stats.err" &&
    grep -q '^Debug hooks: blocks per API\.$' "$tmp/stats.err" &&
    grep -q '^# peak live blocks  *= *[1-9]' "$tmp/stats.err"; then
    pass "DEADBYTE_MALLOCSTATS=1: the statistics at exit"
else
    fail "DEADBYTE_MALLOCSTATS=1: exit $(cat "$tmp/stats.status"):"
    sed 's/^/    /' "$tmp/stats.err"
fi
# ... and before each new arena: one print per arena, then the exit one.
arenas=$(sed -n 's/^# arenas allocated total  *= *//p' "$tmp/stats.err" | tail -1)
prints=$(grep -c '^deadbyte: statistics in process' "$tmp/stats.err")
if [ -n "$arenas" ] && [ "$prints" -eq $((arenas + 1)) ]; then
    pass "DEADBYTE_MALLOCSTATS=1: printed at each of the $arenas new arenas and at exit"
else
    fail "DEADBYTE_MALLOCSTATS=1: $prints prints for ${arenas:-?} arenas"
fi

# The launcher's --stats: a program that only uses malloc gets the hooks'
# part, not a table of zeros for an allocator it never used.
cat >"$tmp/hello.c" <<'C'
#include <stdlib.h>
#include <string.h>
static char *kept;
int main(void) {
    char *p = malloc(100); strcpy(p, "hi"); free(p);
    kept = malloc(50); /* live at exit, still reachable */
    return 0;
}
C
if ${CC:-cc} -o "$tmp/hello" "$tmp/hello.c" 2>"$tmp/cc.err"; then
    "$DEADBYTE" --stats "$tmp/hello" >"$tmp/launcher_stats.out" 2>&1
    status=$?
    if [ $status = 0 ] &&
        grep -q '^deadbyte: statistics in process [0-9]* (.*hello):$' "$tmp/launcher_stats.out" &&
        grep -q "^'r'  malloc  *1  *50  *0  *0$" "$tmp/launcher_stats.out" &&
        grep -q '^# peak live bytes  *= *100$' "$tmp/launcher_stats.out" &&
        ! grep -q '^Small block threshold' "$tmp/launcher_stats.out"; then
        pass "deadbyte --stats: the hooks' statistics of a malloc program"
    else
        fail "deadbyte --stats: exit $status:"
        sed 's/^/    /' "$tmp/launcher_stats.out"
    fi
else
    fail "cannot compile a test program:"
    sed 's/^/    /' "$tmp/cc.err"
fi

echo "$passes passed, $failures failed"
[ $failures -eq 0 ]
