#!/bin/sh
# gdb_block.sh -- the gdb helper's deadbyte-block command (gdb in batch
# mode, tests/gdb_blocks stopped with live blocks): a block's start shows
# the block; 0 and an address in no block give one clean line, never a
# Python exception; an address inside a block (its data, trailing pad or
# header) names that block and shows it, never a block made of whatever
# bytes lie before the address.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
PROG="$top_builddir/tests/gdb_blocks"
HELPER="$top_srcdir/tool/deadbyte-gdb.py"
[ -x "$DEADBYTE" ] || { echo "gdb_block.sh: $DEADBYTE not built" >&2; exit 99; }
[ -x "$PROG" ] || { echo "gdb_block.sh: $PROG not built" >&2; exit 99; }
command -v gdb >/dev/null 2>&1 || { echo "SKIP: gdb is not installed"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }

# The preload library the launcher would give the program.
preload=$("$DEADBYTE" /bin/sh -c 'echo "$LD_PRELOAD"') || exit 99

# Each command's output follows a line "== NAME".
run() {
    set --
    for step in \
        'zero|0' \
        'start|blocks[0]' \
        'empty|blocks[1]' \
        'data|(char *)blocks[0] + 24' \
        'pad|(char *)blocks[0] + 43' \
        'header|(char *)blocks[0] - 3' \
        'aligned|(char *)blocks[2] + 99' \
        'global|&blocks' \
        'low|16'; do
        set -- "$@" -ex "echo == ${step%%|*}\\n" -ex "deadbyte-block ${step#*|}"
    done
    (ulimit -c 0; timeout 120 gdb -q -batch -nx -x "$HELPER" \
        -ex 'set startup-with-shell off' \
        -ex "set environment LD_PRELOAD=$preload" \
        -ex 'break stop_here' -ex run "$@" -ex kill "$PROG") >"$tmp/out" 2>&1
}
run
section() { sed -n "/^== $1\$/,/^== /p" "$tmp/out" | sed '1d;/^== /d'; }

set -- $(sed -n 's/^blocks \(0x[0-9a-f]*\) \(0x[0-9a-f]*\) \(0x[0-9a-f]*\)$/\1 \2 \3/p' "$tmp/out")
if [ $# -ne 3 ]; then
    fail "the program did not stop with its blocks; gdb said:"
    sed 's/^/    /' "$tmp/out"
    exit 1
fi
b0=$1 b1=$2 b2=$3

if grep -q -e 'Python Exception' -e 'Traceback' -e 'Error occurred in Python' "$tmp/out"; then
    fail "a Python exception:"
    sed 's/^/    /' "$tmp/out"
fi

# expect NAME WHAT LINE...: every LINE is in the section of NAME.
expect() {
    name=$1 what=$2
    shift 2
    for line in "$@"; do
        if ! section "$name" | grep -qxF -- "$line"; then
            fail "$what: no line '$line' in:"
            section "$name" | sed 's/^/    /'
            return
        fi
    done
    pass "$what"
}

expect zero "deadbyte-block 0: one clean line" \
    "deadbyte-block: 0x0 is a null pointer, not a block"
expect start "a block's start: the block" \
    "Debug block at p=$b0" "  size field:   40 bytes" \
    "  API id:       'r' (malloc)" "  leading pad:  intact" "  trailing pad: intact"
expect empty "an empty block: the block" \
    "Debug block at p=$b1" "  size field:   0 bytes" "  trailing pad: intact"
expect data "a pointer into the data: the block that holds it" \
    "deadbyte-block: $(printf '0x%x' $((b0 + 24))) is not the start of a block: it is 24 bytes into the data of the block at p=$b0" \
    "Debug block at p=$b0" "  size field:   40 bytes" "  trailing pad: intact"
expect pad "a pointer into the trailing pad: the block" \
    "deadbyte-block: $(printf '0x%x' $((b0 + 43))) is not the start of a block: it is 3 bytes into the trailing pad of the block at p=$b0" \
    "Debug block at p=$b0"
expect header "a pointer into the header: the block" \
    "deadbyte-block: $(printf '0x%x' $((b0 - 3))) is not the start of a block: it is in the header of the block at p=$b0, 3 bytes before it" \
    "Debug block at p=$b0"
expect aligned "a pointer into a page-aligned block: the block" \
    "deadbyte-block: $(printf '0x%x' $((b2 + 99))) is not the start of a block: it is 99 bytes into the data of the block at p=$b2" \
    "Debug block at p=$b2" "  size field:   100 bytes"
if section global | grep -q '^deadbyte-block: 0x[0-9a-f]* is not a deadbyte block: ' &&
   ! section global | grep -q '^Debug block'; then
    pass "a global variable: not a block"
else
    fail "a global variable:"; section global | sed 's/^/    /'
fi
expect low "an address whose header cannot be read: one clean line" \
    "deadbyte-block: 0x10 is not a block: the 16 bytes before it, where a block's header is, cannot be read"
[ "$failures" -eq 0 ]
