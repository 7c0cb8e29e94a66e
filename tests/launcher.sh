#!/bin/sh
# launcher.sh -- the launcher's contract with its user: one clear line and
# the documented exit status for every bad input (125 deadbyte's own
# errors, 126 not executable, 127 not found), and otherwise the program's
# own status, standard streams and signals.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
[ -x "$DEADBYTE" ] || { echo "launcher.sh: $DEADBYTE not built" >&2; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0

# expect NAME STATUS REGEX -- COMMAND...: COMMAND exits with STATUS and its
# stderr matches REGEX (grep -E; "" for empty stderr).
expect() {
    name=$1 want_status=$2 want_err=$3
    shift 4
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    ok=1
    [ "$status" -eq "$want_status" ] || ok=0
    if [ -z "$want_err" ]; then
        [ -s "$tmp/err" ] && ok=0
    else
        grep -Eq -- "$want_err" "$tmp/err" || ok=0
    fi
    if [ $ok -eq 1 ]; then
        echo "PASS: $name"
        passes=$((passes + 1))
    else
        echo "FAIL: $name: status $status (wanted $want_status); stderr:"
        sed 's/^/    /' "$tmp/err"
        failures=$((failures + 1))
    fi
}

# ---- Bad input: one line, the right status, the program never starts.
expect "no program" 125 '^deadbyte: no program to run \(see deadbyte --help\)$' -- "$DEADBYTE"
expect "unknown option" 125 "^deadbyte: unknown option '--bogus' \\(see deadbyte --help\\)$" -- \
    "$DEADBYTE" --bogus true
expect "bad option value" 125 \
    "^deadbyte: invalid value 'maybe' for --serialno: expected a boolean" -- \
    "$DEADBYTE" --serialno=maybe true
expect "bad variable value" 125 \
    "^deadbyte: invalid value '2' for DEADBYTE_SERIALNO: expected a boolean" -- \
    env DEADBYTE_SERIALNO=2 "$DEADBYTE" true
expect "unknown variable" 125 \
    '^deadbyte: unknown variable DEADBYTE_SERIALNUM in the environment' -- \
    env DEADBYTE_SERIALNUM=1 "$DEADBYTE" true
expect "missing program" 127 \
    '^deadbyte: ./no-such-program: No such file or directory$' -- \
    "$DEADBYTE" ./no-such-program
expect "command not in PATH" 127 \
    '^deadbyte: no-such-command-deadbyte: command not found$' -- \
    "$DEADBYTE" no-such-command-deadbyte
expect "directory" 126 "^deadbyte: $tmp: is a directory$" -- \
    "$DEADBYTE" "$tmp"
printf 'data\n' > "$tmp/plain"
expect "not executable" 126 "^deadbyte: $tmp/plain: Permission denied$" -- \
    "$DEADBYTE" "$tmp/plain"
# libtool links static_prog dynamically when the compiler cannot link
# statically (gcc with -static-libubsan, in the UBSan build): then say so.
if [ -x "$top_builddir/tests/static_prog" ] &&
   LC_ALL=C readelf -l "$top_builddir/tests/static_prog" 2>/dev/null |
       grep -q 'INTERP'; then
    echo "SKIP: statically linked (tests/static_prog is dynamically linked in this build)"
elif [ -x "$top_builddir/tests/static_prog" ]; then
    expect "statically linked" 125 \
        'static_prog: is statically linked: there is no dynamic loader' -- \
        "$DEADBYTE" "$top_builddir/tests/static_prog"
fi
cp /bin/true "$tmp/suid" && chmod u+s "$tmp/suid"
expect "set-user-ID" 125 'suid: is set-user-ID: the dynamic loader ignores LD_PRELOAD' -- \
    "$DEADBYTE" "$tmp/suid"
expect "missing --report-dir" 125 'report-dir' -- \
    "$DEADBYTE" --report-dir="$tmp/none" true

# ---- Help and version go to stdout and succeed.
expect "--help" 0 "" -- "$DEADBYTE" --help
grep -q '^Usage: deadbyte' "$tmp/out" || { echo "FAIL: --help text"; failures=$((failures + 1)); }
expect "--version" 0 "" -- "$DEADBYTE" --version
grep -q '^deadbyte [0-9]' "$tmp/out" || { echo "FAIL: --version text"; failures=$((failures + 1)); }

# ---- The program's own status, signals and streams.
expect "exit status passes through" 3 "" -- "$DEADBYTE" sh -c 'exit 3'
expect "death by signal is 128+N" 143 "" -- "$DEADBYTE" sh -c 'kill -TERM $$'
expect "options end at the program" 0 "" -- "$DEADBYTE" -- echo --serialno=maybe
grep -qx -- '--serialno=maybe' "$tmp/out" || { echo "FAIL: program's own options"; failures=$((failures + 1)); }
out=$(printf 'abc\n' | "$DEADBYTE" cat)
[ "$out" = abc ] && { echo "PASS: stdin reaches the program"; passes=$((passes + 1)); } ||
    { echo "FAIL: stdin"; failures=$((failures + 1)); }

# SIGTERM sent to the launcher reaches the program.
"$DEADBYTE" sleep 30 &
launcher=$!
sleep 1
kill -TERM "$launcher"
wait "$launcher"
status=$?
if [ "$status" -eq 143 ]; then
    echo "PASS: SIGTERM forwarded"; passes=$((passes + 1))
else
    echo "FAIL: SIGTERM forwarded: status $status"; failures=$((failures + 1))
fi

# ---- Children are followed, unless told not to.
expect "children followed" 0 "" -- "$DEADBYTE" sh -c 'echo "$LD_PRELOAD"'
grep -q 'libdeadbyte-preload.so' "$tmp/out" ||
    { echo "FAIL: LD_PRELOAD in children"; failures=$((failures + 1)); }
expect "children not followed" 0 "" -- \
    "$DEADBYTE" --follow-children=no sh -c 'echo "[$LD_PRELOAD]"'
grep -qx '\[\]' "$tmp/out" ||
    { echo "FAIL: --follow-children=no left: $(cat "$tmp/out")"; failures=$((failures + 1)); }
LD_PRELOAD=libc.so.6 "$DEADBYTE" --follow-children=0 sh -c 'echo "[$LD_PRELOAD]"' >"$tmp/out" 2>&1
grep -qx '\[libc.so.6\]' "$tmp/out" &&
    { echo "PASS: other preloads kept"; passes=$((passes + 1)); } ||
    { echo "FAIL: other preloads: $(cat "$tmp/out")"; failures=$((failures + 1)); }

# ---- Traceback depth and heap checks.
if [ -x "$top_builddir/examples/c_overflow" ]; then
    "$DEADBYTE" --frames 0 "$top_builddir/examples/c_overflow" >/dev/null 2>"$tmp/err"
    grep -q '^  (not recorded: --frames 0)$' "$tmp/err" &&
        { echo "PASS: --frames 0"; passes=$((passes + 1)); } ||
        { echo "FAIL: --frames 0"; sed 's/^/    /' "$tmp/err"; failures=$((failures + 1)); }
    "$DEADBYTE" --frames 2 "$top_builddir/examples/c_overflow" >/dev/null 2>"$tmp/err"
    [ "$(grep -c '^  #' "$tmp/err")" -eq 4 ] &&
        { echo "PASS: --frames 2"; passes=$((passes + 1)); } ||
        { echo "FAIL: --frames 2"; sed 's/^/    /' "$tmp/err"; failures=$((failures + 1)); }
fi
if [ -x "$top_builddir/examples/overflow_at_exit" ]; then
    # Every call checks the heap: the overflow is caught at the next
    # allocation (printf's buffer), before the program prints.
    "$DEADBYTE" --check-every 1 "$top_builddir/examples/overflow_at_exit" \
        >"$tmp/out" 2>"$tmp/err"
    status=$?
    # Caught during the program: the check's traceback is in main (its
    # printf allocating), not in exit.
    [ "$status" -eq 134 ] &&
        grep -q '^Fatal error: deadbyte_check_heap: bad trailing pad byte$' "$tmp/err" &&
        sed -n '/^Detected by deadbyte_check_heap/,/^$/p' "$tmp/err" |
            grep -q ' in main .*overflow_at_exit.c:' &&
        ! sed -n '/^Detected by deadbyte_check_heap/,/^$/p' "$tmp/err" |
            grep -q ' in exit ' &&
        { echo "PASS: --check-every 1"; passes=$((passes + 1)); } ||
        { echo "FAIL: --check-every 1 (status $status)"; failures=$((failures + 1)); }
fi
# A report saved without the launcher gets file and line afterwards.
preload=$(cd "$top_builddir/lib/.libs" && pwd)/libdeadbyte-preload.so
if [ -x "$top_builddir/examples/c_overflow" ] && [ -f "$preload" ]; then
    (ulimit -c 0; DEADBYTE_LOG_FILE="$tmp/saved" LD_PRELOAD="$preload" \
        "$top_builddir/examples/c_overflow" >/dev/null 2>&1)
    "$DEADBYTE" symbolize "$tmp/saved" >"$tmp/out" 2>"$tmp/err"
    if grep -q '^  #0 0x[0-9a-f]* in main .*examples/c_overflow.c:[0-9]*$' "$tmp/out" &&
       ! grep -q '^  #0 .*+0x' "$tmp/out" && [ ! -s "$tmp/err" ]; then
        echo "PASS: deadbyte symbolize"; passes=$((passes + 1))
    else
        echo "FAIL: deadbyte symbolize:"; sed 's/^/    /' "$tmp/out" "$tmp/err"
        failures=$((failures + 1))
    fi
    "$DEADBYTE" symbolize < "$tmp/saved" | cmp -s - "$tmp/out" &&
        { echo "PASS: deadbyte symbolize < file"; passes=$((passes + 1)); } ||
        { echo "FAIL: deadbyte symbolize < file"; failures=$((failures + 1)); }
fi
expect "symbolize a missing file" 125 "^deadbyte: $tmp/none: No such file or directory$" -- \
    "$DEADBYTE" symbolize "$tmp/none"

expect "bad --frames" 125 "invalid value 'many' for --frames: expected a whole number" -- \
    "$DEADBYTE" --frames many true
expect "bad --quarantine" 125 "invalid value '16Q' for --quarantine: expected a size" -- \
    "$DEADBYTE" --quarantine 16Q true
expect "bad --leaks" 125 "invalid value 'some' for --leaks: expected no, definite or all" -- \
    "$DEADBYTE" --leaks=some true
expect "missing suppressions file" 125 "^deadbyte: $tmp/none: No such file or directory$" -- \
    "$DEADBYTE" --suppressions "$tmp/none" true
printf 'leek:typo\n' > "$tmp/supp"
expect "bad suppressions line" 125 "^deadbyte: $tmp/supp:1: expected 'KEYWORD:PATTERN', found 'leek:typo'; the keywords are leak, overflow, " -- \
    "$DEADBYTE" --suppressions "$tmp/supp" true

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
