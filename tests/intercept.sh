#!/bin/sh
# intercept.sh -- the checked C library calls (lib/intercept.c).
# - The lists agree: every function of lib/intercept.def (and the four
#   variadic ones) is exported by lib/preload.sym and wrapped by
#   lib/intercept.wrap, and the preload library has no relocation
#   against any of them: none of deadbyte's own calls reaches a checker.
# - tests/libc_calls: every function, called correctly on blocks, stack
#   and static data, returns what the C library does and is not
#   reported (the edges of blocks, calls before main and in a signal
#   handler among them), with the checks and without.
# - tests/bad_calls: one bad call per case gives the diagnosis expected,
#   with frame #0 in the program's main.
# - The examples of issue 14: frame #0 is the line of the bad call; with
#   --check-calls=no no call is reported.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
PRELOAD="$top_builddir/lib/.libs/libdeadbyte-preload.so"
for f in "$DEADBYTE" "$PRELOAD" "$top_builddir/tests/libc_calls" \
    "$top_builddir/tests/bad_calls"; do
    [ -x "$f" ] || { echo "intercept.sh: $f not built" >&2; exit 99; }
done
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "PASS: $1"; }
fail() {
    echo "FAIL: $1; stdout, stderr:"
    sed 's/^/    /' "$tmp/out" "$tmp/err"
    failures=$((failures + 1))
}
# run PROGRAM ARGS...: under the launcher, stdin empty.
run() {
    (ulimit -c 0; exec "$DEADBYTE" "$@" </dev/null >"$tmp/out" 2>"$tmp/err")
    status=$?
}

# ---- The lists -----------------------------------------------------------
sed -n 's/^INTERCEPT([^,]*, *\([a-z_0-9]*\),.*/\1/p' \
    "$top_srcdir/lib/intercept.def" >"$tmp/names"
printf '%s\n' snprintf sprintf __snprintf_chk __sprintf_chk >>"$tmp/names"
sort -o "$tmp/names" "$tmp/names"
sed 's/^--wrap=//' "$top_srcdir/lib/intercept.wrap" | sort >"$tmp/wrapped"
: >"$tmp/out"
if cmp -s "$tmp/names" "$tmp/wrapped"; then
    pass "intercept.wrap wraps every function of intercept.def"
else
    diff "$tmp/names" "$tmp/wrapped" >"$tmp/err"
    fail "intercept.wrap and intercept.def differ"
fi
tr -s ' ;\t' '\n\n\n' <"$top_srcdir/lib/preload.sym" | sort -u >"$tmp/exported"
missing=$(comm -23 "$tmp/names" "$tmp/exported")
if [ -z "$missing" ]; then
    pass "preload.sym exports every function of intercept.def"
else
    echo "$missing" >"$tmp/err"
    fail "preload.sym does not export these"
fi
if command -v readelf >/dev/null 2>&1; then
    readelf -rW "$PRELOAD" | awk 'NF >= 5 { sub(/@.*/, "", $5); print $5 }' |
        sort -u >"$tmp/relocated"
    called=$(comm -12 "$tmp/names" "$tmp/relocated")
    if [ -z "$called" ]; then
        pass "no call of deadbyte's own reaches a checked function"
    else
        echo "$called" >"$tmp/err"
        fail "the preload library calls these through the symbol table"
    fi
else
    echo "SKIP: no readelf"
fi

# ---- Correct calls -------------------------------------------------------
for options in "" "--check-calls=no"; do
    # shellcheck disable=SC2086 # OPTIONS is a list of words
    run $options "$top_builddir/tests/libc_calls"
    if [ "$status" -eq 0 ] && [ "$(cat "$tmp/out")" = ok ] && [ ! -s "$tmp/err" ]; then
        pass "every checked call, made correctly, runs clean ${options:-by default}"
    else
        fail "correct calls ${options:-by default}: exit $status"
    fi
done
"$top_builddir/tests/libc_calls" >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" -eq 0 ] && [ "$(cat "$tmp/out")" = ok ]; then
    pass "the correct calls' expected values are the C library's"
else
    fail "correct calls without deadbyte: exit $status"
fi

# ---- Bad calls -------------------------------------------------------------
# bad CASE DIAGNOSIS: deadbyte's line about the bad call, then the
# "Fatal error:" line's check; frame #0 of the bad call in main.
bad() {
    run "$top_builddir/tests/bad_calls" "$1"
    fatal=$(grep '^Fatal error: ' "$tmp/err")
    frame0=$(sed -n '/^Bad \(read\|write\).* at (most recent call first):$/{n;p;}' "$tmp/err")
    if [ "$status" -eq 134 ] && grep -qxF "deadbyte: $2" "$tmp/err" &&
       [ "$fatal" = "Fatal error: $3" ] &&
       echo "$frame0" | grep -q '^  #0 0x[0-9a-f]* in main .*tests/bad_calls\.c:[0-9]*$' &&
       ! grep -q 'not caught' "$tmp/out"; then
        pass "$1"
    else
        fail "$1: exit $status, frame #0 '$frame0'"
    fi
}
past=" of the 8-byte block allocated with malloc (call #1)"
bad memcmp_equal_past_end "buffer overflow: memcmp read 9 bytes at p+0..p+9$past, 1 byte past its end" "memcmp: read past the end of a block"
bad memcmp_second "buffer overflow: memcmp read 9 bytes at p+0..p+9$past, 1 byte past its end" "memcmp: read past the end of a block"
bad strcmp_unterminated "buffer overflow: strcmp read 9 bytes at p+0..p+9$past, 1 byte past its end" "strcmp: read past the end of a block"
bad strncmp_unterminated "buffer overflow: strncmp read 9 bytes at p+0..p+9$past, 1 byte past its end" "strncmp: read past the end of a block"
bad memchr_not_found "buffer overflow: memchr read 9 bytes at p+0..p+9$past, 1 byte past its end" "memchr: read past the end of a block"
bad strchr_not_found "buffer overflow: strchr read 9 bytes at p+0..p+9$past, 1 byte past its end" "strchr: read past the end of a block"
bad strspn_all "buffer overflow: strspn read 9 bytes at p+0..p+9$past, 1 byte past its end" "strspn: read past the end of a block"
bad strstr_unterminated "buffer overflow: strstr read 9 bytes at p+0..p+9$past, 1 byte past its end" "strstr: read past the end of a block"
bad memcpy_both_bad "buffer overflow: memcpy read 16 bytes at p+0..p+16$past, 8 bytes past its end" "memcpy: read past the end of a block"
bad memset_underflow "buffer underflow: memset wrote 2 bytes at p-1..p+1$past, 1 byte before its start, in its header" "memset: write before the start of a block"
bad memmove_overflow "buffer overflow: memmove wrote 8 bytes at p+1..p+9$past, 1 byte past its end" "memmove: write past the end of a block"
bad strcat_overflow "buffer overflow: strcat wrote 5 bytes at p+4..p+9$past, 1 byte past its end" "strcat: write past the end of a block"
bad strncpy_overflow "buffer overflow: strncpy wrote 16 bytes at p+0..p+16$past, 8 bytes past its end" "strncpy: write past the end of a block"
bad strdup_unterminated "buffer overflow: strdup read 9 bytes at p+0..p+9$past, 1 byte past its end" "strdup: read past the end of a block"
bad snprintf_overflow "buffer overflow: snprintf wrote 11 bytes at p+0..p+11$past, 3 bytes past its end" "snprintf: write past the end of a block"
bad snprintf_chk_overflow "buffer overflow: __snprintf_chk wrote 10 bytes at p+0..p+10$past, 2 bytes past its end" "__snprintf_chk: write past the end of a block"
bad sprintf_overflow "buffer overflow: sprintf wrote 10 bytes at p+0..p+10$past, 2 bytes past its end" "sprintf: write past the end of a block"
bad memcpy_chk_overflow "buffer overflow: __memcpy_chk wrote 16 bytes at p+0..p+16$past, 8 bytes past its end" "__memcpy_chk: write past the end of a block"
bad fgets_overflow "buffer overflow: fgets wrote 16 bytes at p+0..p+16$past, 8 bytes past its end" "fgets: write past the end of a block"
freed=" of the 8-byte block allocated with malloc (call #2), which was freed already"
bad write_freed "use after free: write read 4 bytes at p+0..p+4$freed" "write: read of a freed block"
bad strlen_freed "use after free: strlen read 1 byte at p+0..p+1$freed" "strlen: read of a freed block"
bad wcslen_unterminated "buffer overflow: wcslen read 12 bytes at p+0..p+12 of the 8-byte block allocated with malloc (call #3), 4 bytes past its end" "wcslen: read past the end of a block"

# ---- The examples ----------------------------------------------------------
# example NAME PATTERN: frame #0 of the bad call is the line of the
# example's source that matches PATTERN.
example() {
    prog="$top_builddir/examples/$1"
    [ -x "$prog" ] || { echo "intercept.sh: $prog not built" >&2; exit 99; }
    line=$(grep -n "$2" "$top_srcdir/examples/$1.c" | head -n 1 | cut -d: -f1)
    run "$prog"
    frame0=$(sed -n '/^Bad \(read\|write\).* at (most recent call first):$/{n;p;}' "$tmp/err")
    if [ "$status" -eq 134 ] && [ -n "$line" ] &&
       echo "$frame0" | grep -q "^  #0 0x[0-9a-f]* in main .*examples/$1\.c:$line\$"; then
        pass "$1: frame #0 is the bad call, $1.c:$line"
    else
        fail "$1: exit $status, frame #0 '$frame0', wanted line $line"
    fi
    run --check-calls=no "$prog"
    if grep -q '^Bad \(read\|write\)' "$tmp/err"; then
        fail "$1 --check-calls=no: a call was reported"
    else
        pass "$1 --check-calls=no: no call reported"
    fi
}
example memcpy_overread 'memcpy(field'
example strlen_unterminated 'strlen(copy)'
example strcpy_overflow 'strcpy(copy'
example read_overflow 'read(fd, buf'
example memcmp_after_free 'memcmp(cached'

[ "$failures" -eq 0 ]
