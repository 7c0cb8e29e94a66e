#!/bin/sh
# setuid.sh -- a set-user-ID root program linked with libdeadbyte, run by
# an unprivileged user, must not let that user's DEADBYTE_* variables
# choose files for it: DEADBYTE_LOG_FILE and DEADBYTE_REPORT_DIR are
# ignored in secure execution (with a note), and the report goes to
# standard error, as glibc ignores MALLOC_TRACE.  The other variables
# still work, and a correct program runs clean.
# Needs root (to make the program set-user-ID), setpriv(1) and a user
# "nobody"; exit 77 without them or on a nosuid file system.
set -u
: "${top_builddir:?setuid.sh: top_builddir is not set}"
PROG="$top_builddir/tests/setuid_prog"
[ -x "$PROG" ] || { echo "setuid.sh: $PROG not built" >&2; exit 99; }
skip() { echo "setuid.sh: SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root to make a set-user-ID root program"
command -v setpriv >/dev/null 2>&1 || skip "needs setpriv(1) to run as another user"
user=$(id -u nobody 2>/dev/null) && group=$(id -g nobody 2>/dev/null) ||
    skip "needs a user 'nobody' to run the program as"

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cp "$PROG" "$tmp/setuid_prog" && chown 0:0 "$tmp/setuid_prog" &&
    chmod 4755 "$tmp/setuid_prog" || exit 99
# Only root may write here; the unprivileged user names files in it.
mkdir "$tmp/root-only" && chmod 700 "$tmp/root-only" || exit 99

as_user() {
    setpriv --reuid="$user" --regid="$group" --clear-groups "$@"
}
probe=$(as_user "$tmp/setuid_prog" probe 2>&1)
[ "$probe" = "euid=0 secure=1" ] ||
    skip "$tmp does not run set-user-ID programs (nosuid mount?): $probe"

failures=0
passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run ENV...: the overflow, as the unprivileged user, with ENV.
run() {
    rm -rf "$tmp/root-only/"* "$tmp/root-only/".[!.]*
    as_user env "$@" "$tmp/setuid_prog" overflow secret-argument \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
}
report_on_stderr() {
    [ "$status" -eq 134 ] &&
        grep -q '^Fatal error: deadbyte_mem_free: bad trailing pad byte$' "$tmp/err"
}
show() { sed 's/^/    /' "$tmp/err"; }

run DEADBYTE_LOG_FILE="$tmp/root-only/log"
if [ -e "$tmp/root-only/log" ]; then
    fail "DEADBYTE_LOG_FILE made a root-owned file for the user:"
    sed 's/^/    /' "$tmp/root-only/log"
else
    pass "DEADBYTE_LOG_FILE is not created"
fi
if report_on_stderr &&
   grep -q '^deadbyte: DEADBYTE_LOG_FILE is ignored: ' "$tmp/err"; then
    pass "DEADBYTE_LOG_FILE: a note, and the report on standard error"
else
    fail "DEADBYTE_LOG_FILE: status $status; stderr:"
    show
fi

run DEADBYTE_REPORT_DIR="$tmp/root-only"
if [ -z "$(ls "$tmp/root-only")" ]; then
    pass "DEADBYTE_REPORT_DIR gets no report file"
else
    fail "DEADBYTE_REPORT_DIR got:" $(ls "$tmp/root-only")
fi
if report_on_stderr &&
   grep -q '^deadbyte: DEADBYTE_REPORT_DIR is ignored: ' "$tmp/err"; then
    pass "DEADBYTE_REPORT_DIR: a note, and the report on standard error"
else
    fail "DEADBYTE_REPORT_DIR: status $status; stderr:"
    show
fi

# A variable that names no file still applies.
run DEADBYTE_SERIALNO=0
if report_on_stderr && grep -q 'has no serial number' "$tmp/err" &&
   ! grep -q 'is ignored' "$tmp/err"; then
    pass "DEADBYTE_SERIALNO still applies"
else
    fail "DEADBYTE_SERIALNO: status $status; stderr:"
    show
fi

as_user "$tmp/setuid_prog" clean >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" -eq 0 ] && ! [ -s "$tmp/err" ]; then
    pass "a correct set-user-ID program runs clean"
else
    fail "clean run: status $status; stderr:"
    show
fi

echo "setuid.sh: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
