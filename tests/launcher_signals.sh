#!/bin/sh
# launcher_signals.sh -- the launcher between the shell and the program:
# the signals sent to it reach the program, a closed pipe does not kill
# it, its private report directory goes on every way out, the program's
# job-control stops are the launcher's, and it waits for the program's
# orphans (not for daemons) and shows their reports.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
T="$top_builddir/tests"
for f in "$DEADBYTE" "$T/orphan_report" "$T/signal_echo" \
    "$top_builddir/examples/c_overflow"; do
    [ -x "$f" ] || { echo "launcher_signals.sh: $f not built" >&2; exit 99; }
done
tmp=$(mktemp -d) || exit 99
# The launcher makes its private report directories here.
TMPDIR="$tmp/private"
export TMPDIR
mkdir "$TMPDIR" || exit 99
leftovers=""
trap 'for p in $leftovers; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
failures=0
passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# no_dir_left NAME: the launcher removed its private report directory.
no_dir_left() {
    if [ -z "$(ls "$TMPDIR")" ]; then
        pass "$1: report directory removed"
    else
        fail "$1: report directory left: $(ls "$TMPDIR")"
        rm -rf "${TMPDIR:?}"/*
    fi
}

# wait_for FILE REGEX: until a line of FILE matches; 10 s at most.
wait_for() {
    n=0
    until grep -Eq -- "$2" "$1" 2>/dev/null; do
        n=$((n + 1))
        [ "$n" -gt 100 ] && return 1
        sleep 0.1
    done
}

# state PID: the process state letter (T: stopped), empty once gone.
state() { sed 's/^.*) \(.\).*$/\1/' "/proc/$1/stat" 2>/dev/null; }

# wait_state PID LETTER: until PID is in that state; 10 s at most.
wait_state() {
    n=0
    until [ "$(state "$1")" = "$2" ]; do
        n=$((n + 1))
        [ "$n" -gt 100 ] && return 1
        sleep 0.1
    done
}

# ---- A closed pipe: the launcher's write fails, it goes on.
# The reader is gone before the report is printed: the launcher still
# exits with the program's status and removes its directory.
{
    "$DEADBYTE" "$top_builddir/examples/c_overflow" 2>&1 >/dev/null
    echo $? >"$tmp/status"
} | true
status=$(cat "$tmp/status")
[ "$status" = 134 ] && pass "closed pipe: the program's status, 134" ||
    fail "closed pipe: status $status (wanted 134)"
no_dir_left "closed pipe"

# ---- SIGUSR1, then SIGTERM, sent to the launcher reach the program.
"$DEADBYTE" "$T/signal_echo" >"$tmp/echo" 2>&1 &
launcher=$!
if wait_for "$tmp/echo" '^ready [0-9]+$'; then
    leftovers="$leftovers $(sed -n 's/^ready //p' "$tmp/echo")"
    kill -USR1 "$launcher"
    if wait_for "$tmp/echo" '^got SIGUSR1$' && kill -0 "$launcher" 2>/dev/null; then
        pass "SIGUSR1 reaches the program; the launcher lives on"
    else
        fail "SIGUSR1: $(cat "$tmp/echo")"
    fi
    kill -TERM "$launcher" 2>/dev/null
else
    fail "signal_echo did not start: $(cat "$tmp/echo")"
fi
wait "$launcher"
status=$?
if [ "$status" = 7 ] && grep -q '^got SIGTERM$' "$tmp/echo"; then
    pass "SIGTERM reaches the program; the launcher exits with its status"
else
    fail "SIGTERM: status $status (wanted 7): $(cat "$tmp/echo")"
fi
no_dir_left "SIGTERM"

# ---- A signal the program sends its parent is not the launcher's, even
# when the launcher takes it only after the program has ended: here the
# program stops the launcher, signals it, and exits; then a process it
# left continues the launcher.
cat >"$tmp/to_parent" <<'EOF'
launcher=$PPID
kill -STOP "$launcher"
kill -PROF "$launcher"
program=$$
( while ! grep -q '^[0-9]* (.*) Z' "/proc/$program/stat" 2>/dev/null; do
      sleep 0.05
  done
  kill -CONT "$launcher" ) </dev/null >/dev/null 2>&1 &
exit 0
EOF
"$DEADBYTE" sh "$tmp/to_parent" >"$tmp/out" 2>&1
status=$?
[ "$status" = 0 ] && pass "a signal from the program to its parent: status 0" ||
    fail "a signal from the program to its parent: status $status (wanted 0)"
no_dir_left "signal to the parent"

# ---- ^Z: SIGTSTP stops the program, then the launcher, as the shell
# expects of a job; SIGCONT continues both.  Only where stop signals
# stop anything (not in an orphaned process group).
sleep 5 &
probe=$!
kill -TSTP "$probe"
if wait_state "$probe" T; then
    kill -KILL "$probe"
    wait "$probe" 2>/dev/null
    # Not the first test's "ready" line, before the file is made anew.
    rm -f "$tmp/echo"
    "$DEADBYTE" "$T/signal_echo" >"$tmp/echo" 2>&1 &
    launcher=$!
    if wait_for "$tmp/echo" '^ready [0-9]+$'; then
        program=$(sed -n 's/^ready //p' "$tmp/echo")
        leftovers="$leftovers $program"
        kill -TSTP "$launcher"
        if wait_state "$program" T && wait_state "$launcher" T; then
            pass "SIGTSTP stops the program and the launcher"
        else
            fail "SIGTSTP: program $(state "$program"), launcher $(state "$launcher")"
        fi
        kill -CONT "$launcher"
        kill -USR1 "$launcher"
        if wait_for "$tmp/echo" '^got SIGUSR1$'; then
            pass "SIGCONT continues the program"
        else
            fail "SIGCONT: program $(state "$program"), launcher $(state "$launcher")"
        fi
        kill -CONT "$program" 2>/dev/null
    fi
    kill -TERM "$launcher" 2>/dev/null
    wait "$launcher"
    no_dir_left "SIGTSTP"
else
    kill -KILL "$probe"
    wait "$probe" 2>/dev/null
    echo "SKIP: SIGTSTP stops nothing here (orphaned process group)"
fi

# ---- Orphans: their reports are shown, and count.
"$DEADBYTE" "$T/orphan_report" >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" = 134 ] && grep -q '^program exits$' "$tmp/out" &&
    grep -q '^Fatal error: free: bad trailing pad byte$' "$tmp/err" &&
    grep -q '^deadbyte: 1 error (heap-buffer-overflow) in 1 process$' "$tmp/err"; then
    pass "an orphan's report is shown; its status is the launcher's"
else
    fail "orphan's report: status $status (wanted 134):"
    sed 's/^/    /' "$tmp/out" "$tmp/err"
fi
no_dir_left "orphan"

"$DEADBYTE" sh -c '(sleep 1; echo late) &' >"$tmp/out" 2>&1
status=$?
[ "$status" = 0 ] && grep -qx late "$tmp/out" &&
    pass "the launcher waits for the program's orphans" ||
    fail "orphans: status $status, output: $(cat "$tmp/out")"

# A daemon leaves the session (setsid): the launcher does not wait for it.
if command -v setsid >/dev/null 2>&1; then
    started=$(date +%s)
    "$DEADBYTE" sh -c 'setsid sh -c "echo \$\$ >\"$1\"; exec sleep 30" \
        </dev/null >/dev/null 2>&1 &' sh "$tmp/daemon" >"$tmp/out" 2>&1
    status=$?
    took=$(($(date +%s) - started))
    wait_for "$tmp/daemon" '^[0-9]+$' && leftovers="$leftovers $(cat "$tmp/daemon")"
    [ "$status" = 0 ] && [ "$took" -lt 10 ] &&
        pass "the launcher does not wait for a daemon" ||
        fail "daemon: status $status after $took s: $(cat "$tmp/out")"
    no_dir_left "daemon"
fi

# A signal that would end the launcher ends its wait for orphans: it
# cleans up, then dies of that signal.  Sent once the launcher has reaped
# the program (its /proc entry is gone), or the program would get it.
started=$(date +%s)
"$DEADBYTE" sh -c 'sleep 30 </dev/null >/dev/null 2>&1 & echo "$$ $!" >"$1"' \
    sh "$tmp/sleeper" >"$tmp/out" 2>&1 &
launcher=$!
if wait_for "$tmp/sleeper" '^[0-9]+ [0-9]+$'; then
    read -r program sleeper <"$tmp/sleeper"
    leftovers="$leftovers $sleeper"
    n=0
    while [ -e "/proc/$program" ] && [ "$n" -lt 100 ]; do
        n=$((n + 1))
        sleep 0.1
    done
    kill -TERM "$launcher"
fi
wait "$launcher"
status=$?
took=$(($(date +%s) - started))
[ "$status" = 143 ] && [ "$took" -lt 20 ] &&
    pass "SIGTERM ends the wait for orphans: status 143" ||
    fail "SIGTERM while waiting for orphans: status $status after $took s (wanted 143, at once)"
no_dir_left "SIGTERM while waiting for orphans"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
