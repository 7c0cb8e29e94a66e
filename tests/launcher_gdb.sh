#!/bin/sh
# launcher_gdb.sh -- deadbyte --gdb, with gdb reading its commands from
# standard input: the launcher exits with the program's status, not
# gdb's; a report that stops the program is shown when it stops, before
# gdb's next prompt; a #! script runs under gdb through its interpreter.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
C_OVERFLOW="$top_builddir/examples/c_overflow"
for f in "$DEADBYTE" "$C_OVERFLOW"; do
    [ -x "$f" ] || { echo "launcher_gdb.sh: $f not built" >&2; exit 99; }
done
command -v gdb >/dev/null 2>&1 || { echo "SKIP: gdb is not installed"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; sed 's/^/    /' "$tmp/out"; failures=$((failures + 1)); }

# under_gdb COMMANDS ARG...: deadbyte --gdb ARG..., gdb reading COMMANDS;
# output (both streams) in $tmp/out, status in $status.
under_gdb() {
    commands=$1
    shift
    printf '%s' "$commands" |
        (ulimit -c 0; timeout 120 "$DEADBYTE" --gdb "$@") >"$tmp/out" 2>&1
    status=$?
}

# line_of REGEX: the number of the first line of $tmp/out matching it.
line_of() { grep -En -- "$1" "$tmp/out" | sed -n '1s/:.*//p'; }

under_gdb "" sh -c 'exit 3'
[ "$status" -eq 3 ] && pass "exit status 3 passes through gdb" ||
    fail "exit status 3 under gdb: status $status"

# The report, then where the program stopped, before gdb quits; and
# the status of a program that deadbyte stopped.
under_gdb "" "$C_OVERFLOW"
report=$(line_of '^Fatal error: free: bad trailing pad byte$')
stopped=$(line_of "^deadbyte: the program stopped on the report above, in:\$")
frame=$(line_of '^#[0-9]+ .* in main \(\) at .*c_overflow\.c:[0-9]+$')
quit=$(line_of 'Quit anyway')
if [ "$status" -eq 134 ] && [ -n "$report" ] && [ -n "$stopped" ] &&
    [ -n "$frame" ] && [ -n "$quit" ] && [ "$report" -lt "$stopped" ] &&
    [ "$stopped" -lt "$frame" ] && [ "$frame" -lt "$quit" ]; then
    pass "a report is shown when it stops the program; status 134"
else
    fail "report under gdb: status $status (wanted 134); lines: report $report, stopped $stopped, frame $frame, quit $quit"
fi

# Continued after the report, the program dies of SIGABRT: still 134.
under_gdb 'continue
' "$C_OVERFLOW"
[ "$status" -eq 134 ] && grep -q 'Program terminated with signal SIGABRT' "$tmp/out" &&
    pass "killed by SIGABRT under gdb: status 134" ||
    fail "killed by SIGABRT under gdb: status $status (wanted 134)"

# Stopped at a --break-at block when gdb quits: SIGTRAP, 133, as
# --break-action=trap; continued, it runs on to the report.
under_gdb "" --break-at 1 "$C_OVERFLOW"
[ "$status" -eq 133 ] && grep -q '^deadbyte: stopped where block #1 ' "$tmp/out" &&
    pass "quit at a --break-at block: status 133" ||
    fail "quit at a --break-at block: status $status (wanted 133)"

# A #! script: gdb runs its interpreter, with the script's arguments.
printf '#!/bin/sh\nprintf "[%%s]\\n" "$@"\nexit 3\n' >"$tmp/script"
chmod +x "$tmp/script"
under_gdb "" "$tmp/script" a 'b c'
[ "$status" -eq 3 ] && grep -qx '\[a\]' "$tmp/out" && grep -qx '\[b c\]' "$tmp/out" &&
    pass "a #! script runs under gdb, its arguments intact; status 3" ||
    fail "#! script under gdb: status $status (wanted 3)"

# Neither ELF nor script: gdb cannot run it, and says so; then 126.
printf 'not a program\n' >"$tmp/data"
chmod +x "$tmp/data"
under_gdb "" "$tmp/data"
[ "$status" -eq 126 ] && grep -q "deadbyte: $tmp/data: gdb did not run it\$" "$tmp/out" &&
    pass "a file gdb cannot run: status 126" ||
    fail "a file gdb cannot run: status $status (wanted 126)"

# In a shared --report-dir, the report shown when the program stops is
# read as the launcher reads them: never through a link planted there
# (the library does not write through it either).
shared="$tmp/shared"
mkdir "$shared" && chmod 1777 "$shared" || exit 99
printf '%s\n' "Fatal error: free: planted error" >"$tmp/planted"
under_gdb "" --report-dir="$shared" sh -c \
    'ln -s "$1" "$2/$$.report" && exec "$3"' sh "$tmp/planted" "$shared" \
    "$C_OVERFLOW"
[ "$status" -eq 134 ] && ! grep -q "planted error" "$tmp/out" &&
    grep -q '^Fatal error: free: bad trailing pad byte$' "$tmp/out" &&
    pass "a link planted in --report-dir is not shown" ||
    fail "a link planted in --report-dir: status $status (wanted 134)"

# SIGTERM for the launcher while the program runs: gdb quits and kills
# the program, which it did run: 137, as killed by SIGKILL.
T="$top_builddir/tests"
[ -x "$T/signal_echo" ] || { echo "launcher_gdb.sh: $T/signal_echo not built" >&2; exit 99; }
rm -f "$tmp/out"
"$DEADBYTE" --gdb "$T/signal_echo" </dev/null >"$tmp/out" 2>&1 &
launcher=$!
n=0
until grep -q '^ready [0-9]*$' "$tmp/out" || [ "$n" -gt 600 ]; do
    n=$((n + 1))
    sleep 0.1
done
kill -TERM "$launcher"
wait "$launcher"
status=$?
[ "$status" -eq 137 ] && ! grep -q 'did not run it' "$tmp/out" &&
    pass "SIGTERM while the program runs under gdb: status 137" ||
    fail "SIGTERM under gdb: status $status (wanted 137)"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
