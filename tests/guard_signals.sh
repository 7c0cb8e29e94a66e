#!/bin/sh
# guard_signals.sh -- faults under deadbyte (issue 14, item 2).  A fault
# on a guard page of a block is a report at the faulting line, in any
# thread, whatever handler the program installed.  Every other fault,
# and every disposition the program installs for SIGSEGV and SIGBUS,
# behaves as without deadbyte: tests/guard_faults runs each such mode
# plain and under the launcher, and both runs must write the same output
# and end the same way (exit status, or death by the same signal).
#
# Run on the build's tests/guard_faults and examples/large_overread, and
# on both built again by TEST_CC at -O0 and -O2 (skipped if it cannot).
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
[ -x "$DEADBYTE" ] || { echo "guard_signals.sh: $DEADBYTE not built" >&2; exit 99; }
for p in tests/guard_faults examples/large_overread; do
    [ -x "$top_builddir/$p" ] || { echo "guard_signals.sh: $p not built" >&2; exit 99; }
done
# A program built with -fsanitize=undefined (the UBSan build of CI)
# would have the sanitizer's own SIGSEGV handler: without it, plain
# runs end as a plain program's do.
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}handle_segv=0:handle_sigbus=0"
export UBSAN_OPTIONS
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
passes=0
failures=0

pass() { echo "PASS: $1"; passes=$((passes + 1)); }
fail() {
    echo "FAIL: $1"
    sed 's/^/    /' "$tmp/out" "$tmp/err"
    failures=$((failures + 1))
}

# run OUT-PREFIX COMMAND...: stdout and stderr to files, no cores.
run() {
    out=$1
    shift
    # The shell's own words for a death by signal go nowhere.
    {
        (ulimit -c 0; exec "$@" >"$tmp/$out.out" 2>"$tmp/$out.err" </dev/null)
        status=$?
    } 2>/dev/null
}

# same PROG MODE WANT-STATUS: MODE plain and under deadbyte, the same
# output and status, and that status is WANT-STATUS.
same() {
    prog=$1 mode=$2 want=$3
    run plain "$prog" $mode
    plain=$status
    run db "$DEADBYTE" "$prog" $mode
    db=$status
    cp "$tmp/db.out" "$tmp/out"
    cp "$tmp/db.err" "$tmp/err"
    if [ "$plain" -ne "$want" ] || [ "$db" -ne "$want" ]; then
        fail "$label $mode: plain exit $plain, under deadbyte $db, want $want"
    elif ! cmp -s "$tmp/plain.out" "$tmp/db.out"; then
        diff -u "$tmp/plain.out" "$tmp/db.out" >"$tmp/out"
        fail "$label $mode: the output differs"
    elif [ -s "$tmp/db.err" ]; then
        fail "$label $mode: deadbyte wrote to stderr"
    else
        pass "$label $mode: as without deadbyte (exit $want)"
    fi
}

# frame0 TITLE FUNCTION LINE: the report's traceback TITLE starts with
# FUNCTION at guard_faults.c or large_overread.c:LINE.
frame0() {
    sed -n "/^$1 (most recent call first):\$/{n;p;}" "$tmp/err" |
        grep -Eq "^  #0 0x[0-9a-f]+ in $2 .*(guard_faults|large_overread)\.c:$3\$"
}

# reported PROG MODE TITLE FUNCTION LINE WORDS FATAL: MODE under deadbyte
# exits 134 with a report whose traceback TITLE starts at FUNCTION:LINE,
# with the line WORDS and the fatal line FATAL.
reported() {
    prog=$1 mode=$2 title=$3 func=$4 line=$5 words=$6 fatal=$7
    run db "$DEADBYTE" "$prog" $mode
    cp "$tmp/db.out" "$tmp/out"
    cp "$tmp/db.err" "$tmp/err"
    if [ "$status" -ne 134 ]; then
        fail "$label $mode: exit $status, want 134"
    elif ! frame0 "$title" "$func" "$line"; then
        fail "$label $mode: frame #0 of '$title' is not $func at line $line"
    elif ! grep -Eq "^deadbyte: $words\$" "$tmp/err"; then
        fail "$label $mode: no line '$words'"
    elif ! grep -qx "Fatal error: $fatal" "$tmp/err"; then
        fail "$label $mode: no line 'Fatal error: $fatal'"
    elif grep -q handler "$tmp/out"; then
        fail "$label $mode: the program's handler ran"
    else
        pass "$label $mode: reported at line $line"
    fi
}

src_line() {
    grep -n "$1" "$2" | head -1 | cut -d: -f1
}
read_line=$(src_line 'READ_LINE \*/' "$top_srcdir/tests/guard_faults.c")
write_line=$(src_line 'WRITE_LINE \*/' "$top_srcdir/tests/guard_faults.c")
sum_line=$(src_line 'sum += pixels' "$top_srcdir/examples/large_overread.c")
past='a read at p\+303088 of the 300000-byte block allocated with malloc \(call #[0-9]+\), 3088 bytes past its end'

check() {
    label=$1 prog=$2 example=$3
    same "$prog" own-fault 0
    same "$prog" own-fault-signal 3
    same "$prog" dispositions 0
    same "$prog" null 139
    same "$prog" resethand 139
    same "$prog" masks 0
    same "$prog" sent 139
    same "$prog" stack-overflow 42
    for mode in null resethand sent stack-overflow own-fault; do
        same "$prog" "wait $mode" 0
    done
    reported "$prog" thread-guard "Bad read at" read_bytes "$read_line" \
        "buffer overflow: $past" \
        "guard page: read past the end of a block"
    reported "$prog" guard-with-handler "Bad read at" read_bytes \
        "$read_line" "buffer overflow: $past" \
        "guard page: read past the end of a block"
    reported "$prog" guard-on-altstack "Bad read at" read_bytes \
        "$read_line" "buffer overflow: $past" \
        "guard page: read past the end of a block"
    run db "$DEADBYTE" "$prog" fork-guard
    cp "$tmp/db.out" "$tmp/out"
    cp "$tmp/db.err" "$tmp/err"
    if grep -qx "child: killed by signal 6" "$tmp/out" &&
       frame0 "Bad read at" read_bytes "$read_line" &&
       grep -qx "Fatal error: guard page: read past the end of a block" \
           "$tmp/err"; then
        pass "$label fork-guard: reported in the child"
    else
        fail "$label fork-guard: no report in the child"
    fi
    reported "$prog" write-before "Bad write at" write_byte "$write_line" \
        'buffer underflow: a write at p-17 of the 300000-byte block allocated with malloc \(call #[0-9]+\), 17 bytes before its start' \
        "guard page: write before the start of a block"
    reported "$prog" freed-guard "Bad read at" read_bytes "$read_line" \
        "buffer overflow: $past, which was freed already" \
        "guard page: read past the end of a block"
    reported "$example" "" "Bad read at" sum_pixels "$sum_line" \
        "buffer overflow: $past" \
        "guard page: read past the end of a block"
}

check build "$top_builddir/tests/guard_faults" \
    "$top_builddir/examples/large_overread"

# Again at -O0 and -O2, with debug information.
CC=${TEST_CC:-cc}
noipa=
if $CC -dM -E -x c /dev/null 2>/dev/null | grep -q '__clang__'; then
    noipa=-Dnoipa=noinline # clang has no noipa
fi
for opt in -O0 -O2; do
    if $CC -g $opt -pthread -o "$tmp/guard_faults$opt" \
           "$top_srcdir/tests/guard_faults.c" 2>"$tmp/cc.err" &&
       $CC -g $opt $noipa -o "$tmp/large_overread$opt" \
           "$top_srcdir/examples/large_overread.c" 2>>"$tmp/cc.err"; then
        check "$CC $opt" "$tmp/guard_faults$opt" "$tmp/large_overread$opt"
    else
        echo "SKIP: $CC $opt: cannot build the programs:"
        sed 's/^/    /' "$tmp/cc.err"
    fi
done

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
