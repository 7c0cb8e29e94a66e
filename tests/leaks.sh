#!/bin/sh
# leaks.sh -- the leak report tells no lies: on programs nobody here
# wrote (perl, the gcc driver) deadbyte may report no more than Valgrind's
# memcheck finds definitely or indirectly lost (a false leak is the worst
# bug a leak checker can have; like LeakSanitizer, a conservative scan
# can miss a leak whose address lingers in a stale word); on our examples
# it must report exactly what memcheck does, and nothing for a program
# that frees everything.  "No more" alone would pass a leak check that
# finds nothing, so on those programs it must also find at least half of
# memcheck's lost blocks.  Skips (77) without valgrind.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
[ -x "$DEADBYTE" ] || { echo "leaks.sh: $DEADBYTE not built" >&2; exit 99; }
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: valgrind not installed"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
passes=0
failures=0
skips=0

# valgrind_lost COMMAND...: "BYTES BLOCKS" definitely + indirectly lost,
# for the first process (children are not traced).
valgrind_lost() {
    valgrind --leak-check=full "$@" >/dev/null 2>"$tmp/vg" </dev/null
    awk '/definitely lost:|indirectly lost:/ {
             gsub(",", "", $4); gsub(",", "", $7); b += $4; n += $7 }
         END { print b + 0, n + 0 }' "$tmp/vg"
}

# deadbyte_lost COMMAND...: the same from deadbyte's summary line.
deadbyte_lost() {
    "$DEADBYTE" --follow-children=no "$@" >/dev/null 2>"$tmp/db" </dev/null
    sed -n 's/^deadbyte: \([0-9]*\) bytes\{0,1\} leaked in \([0-9]*\) blocks\{0,1\} .*/\1 \2/p' \
        "$tmp/db" | head -n 1 | grep . || echo "0 0"
}

# compare NAME exact|at-most COMMAND...
# at-most: no more bytes or blocks than memcheck, and at least half of
# its blocks.
compare() {
    name=$1 rule=$2
    shift 2
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "SKIP: $name ($1 not installed)"
        skips=$((skips + 1))
        return
    fi
    expected=$(valgrind_lost "$@")
    actual=$(deadbyte_lost "$@")
    set -- $expected $actual
    if [ "$rule" = exact ] && [ "$1 $2" = "$3 $4" ] ||
       [ "$rule" = at-most ] && [ "$3" -le "$1" ] && [ "$4" -le "$2" ] &&
           [ $(($4 * 2)) -ge "$2" ]; then
        echo "PASS: $name: deadbyte $3 bytes in $4 blocks, valgrind $1 in $2"
        passes=$((passes + 1))
    else
        echo "FAIL: $name: deadbyte $3 bytes in $4 blocks, valgrind $1 in $2 ($rule)"
        grep -E '^(Direct|Indirect) leak' "$tmp/db" | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}

compare "perl" at-most perl -e 'my %h = map { $_ => [$_] } 1..100; print scalar(keys %h), "\n"'
printf 'int main(void) { return 0; }\n' > "$tmp/empty.c"
compare "gcc driver" at-most gcc -fsyntax-only "$tmp/empty.c"
compare "leak example" exact "$top_builddir/examples/leak"
compare "clean example" exact "$top_builddir/examples/clean_c"

echo "$passes passed, $failures failed, $skips skipped"
[ "$failures" -eq 0 ]
