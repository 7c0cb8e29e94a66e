#!/bin/sh
# exports.sh -- the built libdeadbyte.so exports exactly the symbols of
# lib/libdeadbyte.sym: the public API and nothing else.
set -u
so="$top_builddir/lib/.libs/libdeadbyte.so"
[ -f "$so" ] || { echo "exports.sh: $so not built" >&2; exit 99; }
: "${NM:=nm}"

expected=$(sed -n 's/^[[:space:]]*\(deadbyte_[a-z_]*\);$/\1/p' \
               "$top_srcdir/lib/libdeadbyte.sym" | sort)
actual=$($NM -D --defined-only "$so" | awk '{ print $3 }' \
             | sed 's/@.*//' | grep -v '^DEADBYTE_' | sort)
if [ "$expected" != "$actual" ]; then
    echo "exports.sh: the exported symbols differ from lib/libdeadbyte.sym:" >&2
    printf '%s\n' "$expected" > exports.expected
    printf '%s\n' "$actual" > exports.actual
    diff -u exports.expected exports.actual >&2
    rm -f exports.expected exports.actual
    exit 1
fi
# Every declaration in the header is exported too.
for fn in $(sed -n 's/^DEADBYTE_API [^(]*[ *]\(deadbyte_[a-z_]*\)(.*/\1/p' \
                "$top_srcdir/include/deadbyte.h"); do
    printf '%s\n' "$actual" | grep -qx "$fn" || {
        echo "exports.sh: $fn is declared in deadbyte.h but not exported" >&2
        exit 1
    }
done
echo "exports.sh: $(printf '%s\n' "$actual" | wc -l) symbols, all public"
