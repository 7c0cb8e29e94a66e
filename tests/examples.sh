#!/bin/sh
# examples.sh -- run every program of examples/ and compare what it writes
# (stdout, then stderr with addresses and call numbers normalised) and its
# exit status with tests/expected/<name>.txt.
set -u
status=0

# Addresses, call numbers and pids change from run to run; the program's
# path from build to build (libtool runs it from .libs/).
# Frames are left out: without the launcher they are not symbolized, and
# their offsets change with every build.
normalise() {
    sed -E -e '/^  #[0-9]+ /d' \
        -e 's/0x[0-9a-f]{6,}/0xADDR/g' -e 's/call #[0-9]+/call #N/' \
        -e 's/process [0-9]+ \((.*\/)?([^/)]*)\):$/process PID (\2):/' \
        -e 's#(rerun with: deadbyte --break-at )[0-9]+ (.*/)?([^/ ]+)$#\1N \3#'
}
for expected in "$top_srcdir"/tests/expected/*.txt; do
    name=$(basename "$expected" .txt)
    prog="$top_builddir/examples/$name"
    [ -x "$prog" ] || { echo "examples.sh: $prog not built" >&2; exit 99; }
    # dash tells of a program killed by a signal ("Aborted") on its own
    # standard error as it was when it waited: keep that out of the output.
    out=$( (ulimit -c 0; (exec "$prog" 2>&1) 2>/dev/null
            echo "exit status: $?") | normalise)
    if [ "$out" != "$(cat "$expected")" ]; then
        echo "examples.sh: $name: output differs from $expected:" >&2
        printf '%s\n' "$out" | diff -u "$expected" - >&2
        status=1
    else
        echo "examples.sh: $name: as expected"
    fi
done
exit $status
