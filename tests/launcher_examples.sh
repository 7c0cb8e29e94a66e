#!/bin/sh
# launcher_examples.sh -- the launcher on every program of examples/ that
# is not linked with libdeadbyte.  A buggy one must give the report and
# exit status of tests/expected/launcher/<name>.txt (addresses, call
# numbers and pids normalised); a clean one must give byte-identical
# stdout, stderr and exit status with and without deadbyte.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
[ -x "$DEADBYTE" ] || { echo "launcher_examples.sh: $DEADBYTE not built" >&2; exit 99; }
DEADBYTE=$(cd "$(dirname "$DEADBYTE")" && pwd)/deadbyte
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
# Run from the build tree, so that the programs' names read ./examples/x.
cd "$top_builddir" || exit 99
top_srcdir=$(cd "$OLDPWD" && cd "$top_srcdir" && pwd)
passes=0
failures=0

# Addresses, call numbers and pids change from run to run.  Of the frames
# only those in the example's own source are kept, as "function
# examples/file.c:LINE": the C library's frames depend on the machine
# (its debug information may or may not be installed).  A C++ function's
# name may hold spaces: "f(unsigned long)".
normalise() {
    sed -E -e '/^  #[0-9]+ /{' -e '/ [^ ]*examples\/[^ ]*:[0-9]+$/!d' \
        -e 's|^  #[0-9]+ 0x[0-9a-f]+ in (.+) [^ ]*(examples/[^/ ]+:[0-9]+)$|  # in \1 \2|' \
        -e '}' \
        -e 's/0x[0-9a-f]{6,}/0xADDR/g' -e 's/call #[0-9]+/call #N/' \
        -e 's/process [0-9]+ /process PID /' -e 's/\[[0-9]+\]/[PID]/g' \
        -e 's#(in the (data|code) of ).*/([^/]+)\.$#\1\3.#' \
        -e 's/^((Direct|Indirect) leak of .* at 0xADDR):.*/\1/' \
        -e 's/--break-at [0-9]+/--break-at N/' -e 's/block #[0-9]+/block #N/'
}

pass() { echo "PASS: $1"; passes=$((passes + 1)); }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }

for expected in "$top_srcdir"/tests/expected/launcher/*.txt; do
    name=$(basename "$expected" .txt)
    [ -x "examples/$name" ] || { echo "launcher_examples.sh: examples/$name not built" >&2; exit 99; }
    out=$( (ulimit -c 0; "$DEADBYTE" "./examples/$name" 2>&1; echo "exit status: $?") | normalise)
    if [ "$out" = "$(cat "$expected")" ]; then
        pass "$name"
    else
        fail "$name: the report differs from $expected:"
        printf '%s\n' "$out" | diff -u "$expected" - | sed 's/^/    /'
    fi
done

for name in clean_c clean_cxx fork_child exec_chain threads; do
    [ -x "examples/$name" ] || { echo "launcher_examples.sh: examples/$name not built" >&2; exit 99; }
    "./examples/$name" >"$tmp/plain.out" 2>"$tmp/plain.err"
    plain=$?
    "$DEADBYTE" "./examples/$name" >"$tmp/db.out" 2>"$tmp/db.err"
    db=$?
    if [ "$plain" -eq 0 ] && [ "$db" -eq 0 ] &&
       cmp -s "$tmp/plain.out" "$tmp/db.out" && cmp -s "$tmp/plain.err" "$tmp/db.err"; then
        pass "$name runs clean"
    else
        fail "$name: plain exit $plain, under deadbyte exit $db; stderr:"
        sed 's/^/    /' "$tmp/db.err"
        diff -u "$tmp/plain.out" "$tmp/db.out" | sed 's/^/    /'
    fi
done

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
