#!/bin/sh
# breakpoints.sh -- from a report to the instant its block was made:
# the serial number in a report, `deadbyte --break-at N` without a
# debugger (a traceback, or SIGTRAP), and under gdb (--gdb, batch
# commands on standard input) stopping in the allocating function at the
# right line; and serial numbers that are the same from run to run.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
[ -x "$DEADBYTE" ] || { echo "breakpoints.sh: $DEADBYTE not built" >&2; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$top_builddir" || exit 99
passes=0
failures=0
pass() { echo "PASS: $1"; passes=$((passes + 1)); }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }

# 1. The report gives the serial number and the command to rerun.
(ulimit -c 0; "$DEADBYTE" ./examples/double_free >/dev/null 2>"$tmp/report")
serial=$(sed -n 's/^To stop when this block is allocated, rerun with: deadbyte --break-at \([0-9]*\) \.\/examples\/double_free$/\1/p' "$tmp/report")
if [ -n "$serial" ]; then
    pass "the report names block #$serial and the rerun"
else
    fail "no rerun line in the report:"; sed 's/^/    /' "$tmp/report"
    serial=1
fi

# 2. The same program numbers its blocks the same way every time: in two
# runs of a real program, the blocks with the same numbers are made at
# the same places.  (Not by comparing leak reports: which blocks a
# conservative scan finds unreachable may change with the addresses ASLR
# picks.)  The interpreter itself, not a launcher script in front of it
# (pyenv's shims run bash, whose blocks depend on its pid's digits).
python=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
[ -x "$python" ] || python=python3
breaks=50,500,2000,10000,20000
for run in 1 2; do
    PYTHONHASHSEED=0 PYTHONMALLOC=malloc "$DEADBYTE" --leaks=no \
        --break-at $breaks \
        "$python" -c 'import json; print(len(json.dumps(list(range(100)))))' \
        2>&1 >/dev/null | sed -E 's/0x[0-9a-f]+/0xADDR/g' >"$tmp/run$run"
done
made=$(grep -c '^deadbyte: block #[0-9]* (.*) is at 0xADDR; it was made at' "$tmp/run1")
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: serial numbers across runs (no python3)"
elif grep -q '^deadbyte: block #20000 ' "$tmp/run1" && cmp -s "$tmp/run1" "$tmp/run2"; then
    pass "serial numbers identical across runs ($made blocks of python3, made at the same places)"
else
    fail "serial numbers differ between two runs:"
    diff "$tmp/run1" "$tmp/run2" | head -10 | sed 's/^/    /'
fi

# 3. --break-at without a debugger: where the block was made, then on.
(ulimit -c 0; "$DEADBYTE" --break-at "$serial" ./examples/double_free >/dev/null 2>"$tmp/break")
if grep -q "^deadbyte: block #$serial (32 bytes, malloc) is at 0x[0-9a-f]*; it was made at (most recent call first):$" "$tmp/break" &&
   grep -q '^  #0 0x[0-9a-f]* in main .*examples/double_free.c:39$' "$tmp/break" &&
   grep -q '^Fatal error: free: double free$' "$tmp/break"; then
    pass "--break-at without a debugger prints where, and goes on"
else
    fail "--break-at without a debugger:"; sed 's/^/    /' "$tmp/break"
fi
(ulimit -c 0; "$DEADBYTE" --break-at "$serial" --break-action=trap ./examples/double_free >/dev/null 2>&1)
status=$?
[ "$status" -eq 133 ] && pass "--break-action=trap dies of SIGTRAP (133)" ||
    fail "--break-action=trap: status $status, not 133"

# 4. Under gdb: it stops in the allocating function, at the right line.
if command -v gdb >/dev/null 2>&1; then
    printf 'bt\nquit\n' | (ulimit -c 0; timeout 120 "$DEADBYTE" --break-at "$serial" --gdb \
        ./examples/double_free) >"$tmp/gdb" 2>&1
    if grep -q "^deadbyte: stopped where block #$serial (32 bytes, malloc) at 0x[0-9a-f]* is made$" "$tmp/gdb" &&
       grep -q '^#[0-9]*  *0x[0-9a-f]* in main () at .*examples/double_free.c:39$' "$tmp/gdb" &&
       grep -q '^39	    char \*buffer = malloc(32);$' "$tmp/gdb"; then
        pass "--gdb stops in main at examples/double_free.c:39"
    else
        fail "--gdb:"; sed 's/^/    /' "$tmp/gdb"
    fi
else
    echo "SKIP: --gdb (gdb not installed)"
fi
PATH=/nonexistent "$DEADBYTE" --break-at 1 --gdb /bin/true >/dev/null 2>"$tmp/err"
status=$?
[ "$status" -eq 125 ] && grep -q '^deadbyte: --gdb: gdb is not installed (Debian: apt-get install gdb)$' "$tmp/err" &&
    pass "--gdb without gdb: a clear error" ||
    { fail "--gdb without gdb: status $status"; sed 's/^/    /' "$tmp/err"; }
"$DEADBYTE" --break-at 0 /bin/true >/dev/null 2>"$tmp/err"
[ $? -eq 125 ] && grep -q "invalid value '0' for --break-at" "$tmp/err" &&
    pass "--break-at 0 is refused" || fail "--break-at 0"
"$DEADBYTE" --serialno=0 --break-at 3 /bin/true >/dev/null 2>"$tmp/err"
[ $? -eq 125 ] && grep -q -- "--break-at needs serial numbers" "$tmp/err" &&
    pass "--break-at with --serialno=0 is refused" || fail "--break-at with --serialno=0"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
