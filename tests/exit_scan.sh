#!/bin/sh
# exit_scan.sh -- the leak scan at exit never kills a correct program.
# Two programs that exit 0 without deadbyte, each run RUNS times (50)
# under the launcher with leak checking on: one whose second thread maps
# and unmaps memory while main returns (the scan once died of SIGSEGV in
# most runs), one that maps a file for more pages than it has (SIGBUS
# past its end).  Each run must exit 0, print what the program prints,
# and report nothing.  And one whose only pointers to its blocks are in
# shared memory (they were reported as leaks).
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
[ -x "$DEADBYTE" ] || { echo "exit_scan.sh: $DEADBYTE not built" >&2; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
RUNS=${RUNS:-50}
passes=0
failures=0

# runs NAME EXPECTED-STDOUT: RUNS runs of tests/NAME under the launcher.
runs() {
    name=$1 want=$2
    prog="$top_builddir/tests/$name"
    [ -x "$prog" ] || { echo "exit_scan.sh: $prog not built" >&2; exit 99; }
    bad=0 i=0
    while [ "$i" -lt "$RUNS" ]; do
        i=$((i + 1))
        (ulimit -c 0; "$DEADBYTE" --leaks=definite "$prog" \
             >"$tmp/out" 2>"$tmp/err" </dev/null)
        status=$?
        if [ "$status" -ne 0 ] || [ -s "$tmp/err" ] ||
           [ "$(cat "$tmp/out")" != "$want" ]; then
            bad=$((bad + 1))
            if [ "$bad" -eq 1 ]; then
                echo "    run $i: exit status $status; stdout and stderr:"
                sed 's/^/    /' "$tmp/out" "$tmp/err"
            fi
        fi
    done
    if [ "$bad" -eq 0 ]; then
        echo "PASS: $name: $RUNS runs, exit 0, no report"
        passes=$((passes + 1))
    else
        echo "FAIL: $name: $bad of $RUNS runs failed"
        failures=$((failures + 1))
    fi
}

runs exit_mmap_churn "done"
runs exit_file_past_eof "done o"
runs exit_shared_root "done"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
