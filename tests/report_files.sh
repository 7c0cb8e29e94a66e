#!/bin/sh
# report_files.sh -- the report directory and the log file in hostile
# surroundings: in a directory other users may write to, a symbolic link
# planted where a process's report file will be is never followed (the
# file it points to is left alone), and files the program did not write
# (another user's, not regular files, other names, links) are not read
# back as its reports; the log file is made mode 0600 (reports hold heap
# bytes); a report directory too long for a report file's name is an
# error, from the launcher (exit 125) and from the library (one line),
# and a long one that fits works.
set -u
: "${top_builddir:?report_files.sh: top_builddir is not set}"
BUILD=$(cd "$top_builddir" 2>/dev/null && pwd)
DEADBYTE="$BUILD/tool/deadbyte"
BUG="$BUILD/examples/c_overflow"      # a plain program: overflow, free
LIBBUG="$BUILD/examples/overflow"     # the same, linked with libdeadbyte
CLEAN="$BUILD/examples/clean_c"
for f in "$DEADBYTE" "$BUG" "$LIBBUG" "$CLEAN"; do
    [ -x "$f" ] || { echo "report_files.sh: $f not built" >&2; exit 99; }
done
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
umask 022
failures=0
passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
show() { sed 's/^/    /' "$@"; }
fatal_line='^Fatal error: free: bad trailing pad byte$'

# ---- A planted symbolic link is not followed.
shared="$tmp/shared"
mkdir "$shared" && chmod 1777 "$shared" || exit 99
mkdir "$tmp/victim" || exit 99
printf 'the victim'"'"'s own text\n' >"$tmp/victim/file"
cp "$tmp/victim/file" "$tmp/victim.orig"
# The program's process ID is the shell's: exec keeps it.
for target in "$tmp/victim/file" "$tmp/victim/new"; do
    "$DEADBYTE" --report-dir="$shared" sh -c \
        'ln -s "$1" "$2/$$.report" && exec "$3"' sh "$target" "$shared" "$BUG" \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    if cmp -s "$tmp/victim/file" "$tmp/victim.orig" &&
       ! [ -e "$tmp/victim/new" ]; then
        pass "a planted link to ${target##*/} is not followed"
    else
        fail "a planted link to ${target##*/} was followed:"
        show "$tmp/victim/file"
    fi
    if [ "$status" -eq 134 ] && grep -q "$fatal_line" "$tmp/err" &&
       grep -Eq "^deadbyte: not writing the report to $shared/[0-9]+\.report: it is a symbolic link$" "$tmp/err"
    then
        pass "link to ${target##*/}: a note, and the report on standard error"
    else
        fail "link to ${target##*/}: status $status (wanted 134); stderr:"
        show "$tmp/err"
    fi
    rm -f "$shared"/*
done

# ---- Files the program did not write are not read back: each kind alone.
fake() { # fake FILE: a report of an error that did not happen
    printf '%s\n' "deadbyte: fatal error in process 1 (planted):" \
        "Fatal error: free: planted error" >"$1"
}
# Reading a FIFO would block: give the launcher ten seconds.
watchdog=
command -v timeout >/dev/null 2>&1 && watchdog="timeout -s KILL 10"
# foreign WHAT: run the bug with what is planted in $shared; only its own
# report is read and counted.
foreign() {
    $watchdog "$DEADBYTE" --report-dir="$shared" "$BUG" \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    if [ "$status" -eq 134 ] &&
       grep -Eq '^deadbyte: 1 error \(heap-buffer-overflow\) in 1 process$' "$tmp/err" &&
       ! grep -q planted "$tmp/err"; then
        pass "$1 is not read back"
    else
        fail "$1: status $status (wanted 134); stderr:"
        show "$tmp/err"
    fi
    rm -f "$shared"/* "$tmp/elsewhere"
}
fake "$shared/planted.report"
foreign "a file not named <pid>.report"
fake "$tmp/elsewhere" && ln -s "$tmp/elsewhere" "$shared/2.report"
foreign "a symbolic link"
mkfifo "$shared/3.report"
foreign "a FIFO"
fake "$tmp/elsewhere" && ln "$tmp/elsewhere" "$shared/4.report"
foreign "a file with two names"
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
    fake "$shared/5.report" && chown nobody "$shared/5.report"
    foreign "a file of another user"
else
    echo "SKIP: a file of another user (needs root and a user nobody)"
fi

# ---- A process of the program that changed its user ID writes a report
# the launcher does not read back (it cannot tell it from another user's
# file): it must say so, not pass over it in silence.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
   id nobody >/dev/null 2>&1; then
    chmod 755 "$tmp"
    as_nobody="setpriv --reuid=$(id -u nobody) --regid=$(id -g nobody) --clear-groups"
    if $as_nobody test -x "$BUG"; then
        "$DEADBYTE" --report-dir="$shared" $as_nobody "$BUG" \
            >"$tmp/out" 2>"$tmp/err" </dev/null
        status=$?
        if [ "$status" -eq 134 ] &&
           grep -Eq "^deadbyte: $shared/[0-9]+\.report: not read: it belongs to another user \(uid $(id -u nobody)\)\$" "$tmp/err"; then
            pass "a report of a process that changed its user ID is named"
        else
            fail "a report of another user ID: status $status (wanted 134); stderr:"
            show "$tmp/err"
        fi
    else
        echo "SKIP: a process that changes its user ID (nobody cannot run $BUG)"
    fi
    chmod 700 "$tmp"
    rm -f "$shared"/*
else
    echo "SKIP: a process that changes its user ID (needs root, setpriv and a user nobody)"
fi

# ---- The log file is private.
"$DEADBYTE" --log-file="$tmp/launcher.log" "$BUG" >/dev/null 2>&1 </dev/null
DEADBYTE_LOG_FILE="$tmp/library.log" "$LIBBUG" >/dev/null 2>&1 </dev/null
for log in launcher library; do
    mode=$(stat -c %a "$tmp/$log.log" 2>/dev/null)
    if [ "$mode" = 600 ] && grep -q '^Fatal error: ' "$tmp/$log.log"; then
        pass "the $log's log file has mode 600"
    else
        fail "the $log's log file has mode '$mode' (wanted 600)"
    fi
done

# ---- Long report directories: one that fits works, a longer one is an
# error.  make_dir LENGTH: a directory whose absolute name is LENGTH bytes.
make_dir() {
    dir="$tmp/long"
    while [ $((${#dir} + 201)) -lt "$1" ]; do
        dir="$dir/$(printf '%0200d' 0)"
    done
    dir="$dir/$(printf "%0$(($1 - ${#dir} - 1))d" 0)"
    mkdir -p "$dir" && echo "$dir"
}
long=$(make_dir 1100) || exit 99
"$DEADBYTE" --report-dir="$long" "$BUG" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" -eq 134 ] && ls "$long" | grep -Eq '^[0-9]+\.report$' &&
   grep -q '^deadbyte: 1 error (heap-buffer-overflow) in 1 process' "$tmp/err"; then
    pass "a 1100-byte --report-dir holds the report"
else
    fail "a 1100-byte --report-dir: status $status; stderr:"
    show "$tmp/err"
fi
rm -rf "$tmp/long"

too_long=$(make_dir 4090) || exit 99
"$DEADBYTE" --report-dir="$too_long" "$CLEAN" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" -eq 125 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
   grep -q '^deadbyte: --report-dir .*: too long' "$tmp/err" &&
   ! [ -s "$tmp/out" ]; then
    pass "a 4090-byte --report-dir: one line, exit status 125"
else
    fail "a 4090-byte --report-dir: status $status (wanted 125); stderr:"
    show "$tmp/err"
fi
# mkdtemp can make deadbyte.XXXXXX in it, but report files do not fit.
long_tmp=$(make_dir 4070) || exit 99
TMPDIR=$long_tmp "$DEADBYTE" "$CLEAN" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" -eq 125 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
    pass "a TMPDIR too long for the private report directory: exit 125"
else
    fail "a too long TMPDIR: status $status (wanted 125); stderr:"
    show "$tmp/err"
fi
DEADBYTE_REPORT_DIR=$too_long "$LIBBUG" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" -eq 134 ] &&
   grep -q '^deadbyte: not writing the report to .*: the directory name is too long' "$tmp/err" &&
   grep -q '^Fatal error: ' "$tmp/err"; then
    pass "the library: a note, and the report on standard error"
else
    fail "the library with a too long DEADBYTE_REPORT_DIR: status $status; stderr:"
    show "$tmp/err"
fi

# ---- A relative --report-dir, or TMPDIR, names the directory where the
# launcher started: a program that changes directory reports there too.
mkdir -p "$tmp/cwd/reports" "$tmp/cwd/sub/reports" "$tmp/cwd/tmpdir" \
    "$tmp/cwd/sub/tmpdir" || exit 99
for how in "--report-dir=reports" "TMPDIR=tmpdir"; do
    case $how in
    TMPDIR=*) set -- env "$how" "$DEADBYTE" ;;
    *) set -- "$DEADBYTE" "$how" ;;
    esac
    (cd "$tmp/cwd" && "$@" sh -c 'cd sub && exec "$1"' sh "$BUG") \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    if [ "$status" -eq 134 ] && grep -q "$fatal_line" "$tmp/err" &&
       grep -q '^deadbyte: 1 error (heap-buffer-overflow) in 1 process' "$tmp/err" &&
       [ -z "$(find "$tmp/cwd/sub" "$tmp/cwd/tmpdir" ! -type d)" ]; then
        pass "$how: the report of a program that changes directory"
    else
        fail "$how: status $status; stderr:"
        show "$tmp/err"
        ls -R "$tmp/cwd" | show
    fi
    rm -rf "${tmp:?}/cwd/reports/"* "$tmp/cwd/sub/reports/"* \
        "$tmp/cwd/tmpdir/"* "$tmp/cwd/sub/tmpdir/"*
done

# ---- A correct program in a shared report directory runs clean.
"$DEADBYTE" --report-dir="$shared" "$CLEAN" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" -eq 0 ] && ! [ -s "$tmp/err" ]; then
    pass "a correct program runs clean"
else
    fail "a correct program: status $status; stderr:"
    show "$tmp/err"
fi

# ---- The private report directory is made by the first process with a
# report, private, and not at all in a run without one; meanwhile a file
# DIR.pending keeps its name.  A process that reports after the launcher
# has ended makes nothing.
mkdir "$tmp/lazy" || exit 99
TMPDIR=$tmp/lazy "$DEADBYTE" sh -c \
    'ls -A "${DEADBYTE_REPORT_DIR%/*}"; ls -A "$DEADBYTE_REPORT_DIR"' \
    >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" -ne 0 ] && grep -Eqx 'deadbyte\.[A-Za-z0-9]{6}\.pending' "$tmp/out" &&
   [ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -q 'No such file' "$tmp/err" &&
   [ -z "$(ls -A "$tmp/lazy")" ]; then
    pass "a run without a report makes no report directory"
else
    fail "a run without a report: status $status; made:"
    show "$tmp/out" "$tmp/err"
fi
TMPDIR=$tmp/lazy "$DEADBYTE" sh -c '"$1"; ls -ld "$DEADBYTE_REPORT_DIR"' \
    sh "$BUG" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" -eq 0 ] && grep -q '^drwx------ ' "$tmp/out" &&
   grep -q "$fatal_line" "$tmp/err" &&
   grep -q '^deadbyte: 1 error (heap-buffer-overflow) in 1 process' "$tmp/err" &&
   [ -z "$(ls -A "$tmp/lazy")" ]; then
    pass "the first report makes the report directory, mode 0700"
else
    fail "the first report: status $status; stdout and stderr:"
    show "$tmp/out" "$tmp/err"
fi
# The library alone: a missing directory is made only while its .pending
# file is there.
DEADBYTE_REPORT_DIR=$tmp/lazy/reports "$LIBBUG" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" -eq 134 ] && ! [ -e "$tmp/lazy/reports" ] &&
   grep -q "^deadbyte: not writing the report to $tmp/lazy/reports/[0-9]*\.report: no such directory\$" "$tmp/err" &&
   grep -q '^Fatal error: ' "$tmp/err"; then
    pass "no DIR.pending: no directory made, the report on standard error"
else
    fail "no DIR.pending: status $status; stderr:"
    show "$tmp/err"
fi
: >"$tmp/lazy/reports.pending"
DEADBYTE_REPORT_DIR=$tmp/lazy/reports "$LIBBUG" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" -eq 134 ] && ! grep -q '^Fatal error: ' "$tmp/err" &&
   grep -q '^fatal$' "$tmp/lazy/reports/"*.report; then
    pass "with DIR.pending: the report in the directory it made"
else
    fail "with DIR.pending: status $status; stderr:"
    show "$tmp/err"
fi
rm -rf "${tmp:?}/lazy/"*

# Blocks still reachable at exit, and so nothing to report: no file.
"$DEADBYTE" --report-dir="$tmp/lazy" sh -c : >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" -eq 0 ] && ! [ -s "$tmp/err" ] &&
   [ -z "$(ls -A "$tmp/lazy")" ]; then
    pass "a process with nothing to report writes no report file"
else
    fail "nothing to report: status $status; files: $(ls -A "$tmp/lazy")"
    show "$tmp/err"
    rm -f "$tmp/lazy/"*
fi

# A deadbyte run by the program uses the outer one's directory, made or
# not yet.
TMPDIR=$tmp/lazy "$DEADBYTE" sh -c '"$1" "$2"; echo "inner $?"' \
    sh "$DEADBYTE" "$BUG" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" -eq 0 ] && grep -qx 'inner 134' "$tmp/out" &&
   grep -q '^deadbyte: 1 error (heap-buffer-overflow) in 1 process' "$tmp/err" &&
   [ -z "$(ls -A "$tmp/lazy")" ]; then
    pass "deadbyte under deadbyte: the outer report directory"
else
    fail "deadbyte under deadbyte: status $status; stdout and stderr:"
    show "$tmp/out" "$tmp/err"
fi

echo "report_files.sh: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
