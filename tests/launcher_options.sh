#!/bin/sh
# launcher_options.sh -- every bad command line gets one clean line on
# standard error, "deadbyte: ...", printable whatever bytes the user
# typed, nothing on standard output, and exit status 125; and the
# program never starts.  A table: the message wanted (grep -E), then the
# arguments of deadbyte.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
[ -x "$DEADBYTE" ] || { echo "launcher_options.sh: $DEADBYTE not built" >&2; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
failures=0
passes=0

# The program each row would run, were the command line accepted.
canary="$tmp/ran"
program="touch $canary"

# bad REGEX ARG...: deadbyte ARG... fails as it should, saying REGEX;
# with the variable assignment $with_env, if set, in its environment.
with_env=""
bad() {
    want=$1
    shift
    rm -f "$canary"
    env ${with_env:+"$with_env"} "$DEADBYTE" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    status=$?
    what=""
    [ "$status" -eq 125 ] || what="$what status $status (wanted 125);"
    [ -s "$tmp/out" ] && what="$what output on stdout;"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || what="$what not one line;"
    # Every byte a printable ASCII character or a newline (the tests
    # type nothing else that a message could need).
    LC_ALL=C tr -d '\n -~' <"$tmp/err" | od -An -c | grep -q . &&
        what="$what bytes that are not printable;"
    grep -Eq -- "^deadbyte: $want\$" "$tmp/err" ||
        what="$what not the message wanted;"
    [ -e "$canary" ] && what="$what the program ran;"
    name=$(printf '%s ' ${with_env:+"$with_env"} deadbyte "$@" |
        LC_ALL=C tr -c ' -~' '?')
    if [ -z "$what" ]; then
        echo "PASS: $name"
        passes=$((passes + 1))
    else
        echo "FAIL: $name:$what stderr:"
        od -c "$tmp/err" | sed 's/^/    /'
        failures=$((failures + 1))
    fi
}

ctrl=$(printf 'a\001b')
esc=$(printf '\033[31m')
# Missing or empty values: the same message for every option.
bad "option '--frames' needs a value: --frames N" --frames
bad "option '--frames' needs a value: --frames N" --frames=
bad "option '--break-at' needs a value: --break-at N\[,M\.\.\.\]" --break-at= $program
bad "option '--quarantine' needs a value: --quarantine SIZE" --quarantine= $program
bad "option '--serialno' needs a value: --serialno\[=BOOL\]" --serialno= $program
bad "option '--log-file' needs a value: --log-file FILE" --log-file= $program
bad "option '--stats' needs a value: --stats\[=BOOL\]" --stats= $program
# Values given to options that take none.
bad "option '--list-options' takes no value" --list-options=x
bad "option '--help' takes no value" --help=1
bad "option '--version' takes no value" --version=1
bad "option '--help' takes no value" --he=1
# Unknown and ambiguous options; the whole line is checked before
# --help, --version or --list-options act.
bad "unknown option '--bogus' \(see deadbyte --help\)" --bogus $program
bad "unknown option '--bogus' \(see deadbyte --help\)" --version --bogus
bad "unknown option '--bogus' \(see deadbyte --help\)" --help --bogus
bad "unknown option '--bogus' \(see deadbyte --help\)" --list-options --bogus
bad "invalid value 'x' for --frames: expected a whole number such as 16" \
    --version --frames=x
bad "unknown option '--bogus' \(see deadbyte --help\)" --bogus=1 $program
bad "unknown option '--=x' \(see deadbyte --help\)" --=x $program
bad "unknown option '-x' \(see deadbyte --help\)" -x $program
bad "unknown option '-x' \(see deadbyte --help\)" -hx
bad "ambiguous option '--s': it could be --serialno, --suppressions, --stats" \
    --s $program
# Bytes that are not printable are shown as \xNN.
bad "unknown option '-\\\\x01' \(see deadbyte --help\)" "-$(printf '\001')"
bad "unknown option '--a\\\\x01b' \(see deadbyte --help\)" "--$ctrl"
bad "invalid value '\\\\x1b\[31m' for --frames: expected a whole number such as 16" \
    --frames "$esc" $program
bad "invalid value 'a\\\\x01b' for --quarantine: expected a size .*" \
    --quarantine="$ctrl" $program
bad "invalid value 'maybe' for --serialno: expected a boolean .*" \
    --serialno=maybe $program
bad "invalid value 'some' for --leaks: expected no, definite or all" \
    --leaks=some $program
bad "invalid value 'xml' for --format: expected text, json or sarif" \
    --format=xml $program
bad "option '--format' needs a value: --format FORMAT" --format= $program
bad "option '--output' needs a value: --output FILE" --output= $program
bad "ambiguous option '--fo': it could be --follow-children, --format" \
    --fo=json $program
with_env="DEADBYTE_FORMAT=JSON"
bad "invalid value 'JSON' for DEADBYTE_FORMAT: expected text, json or sarif" \
    $program
with_env=""
with_env="DEADBYTE_FRAMES=$ctrl"
bad "invalid value 'a\\\\x01b' for DEADBYTE_FRAMES: expected a whole number such as 16" \
    $program
with_env="DEADBYTE_$ctrl=1"
bad "unknown variable DEADBYTE_a\\\\x01b in the environment \(see deadbyte --list-options\)" \
    $program
# The library knows the upper-case spelling only: it would abort on this.
with_env="DEADBYTE_frames=4"
bad "unknown variable DEADBYTE_frames in the environment \(see deadbyte --list-options\)" \
    $program
with_env="TMPDIR=/nonexistent/$ctrl"
bad "cannot make a report directory in /nonexistent/a\\\\x01b: No such file or directory" \
    $program
with_env=""
# File names the user gave, in messages: printable too.
bad "--report-dir a\\\\x01b: not a directory" --report-dir="$ctrl" $program
bad "/nonexistent/a\\\\x01b: No such file or directory" \
    --log-file="/nonexistent/$ctrl" $program
bad "/nonexistent/a\\\\x01b: No such file or directory" \
    --format=sarif --output="/nonexistent/$ctrl" $program
bad "a\\\\x01b: No such file or directory" --suppressions="$ctrl" $program
# No program; symbolize with too many files.
bad "no program to run \(see deadbyte --help\)"
bad "no program to run \(see deadbyte --help\)" --frames 4 --
bad "symbolize takes one REPORT-FILE at most \(see deadbyte --help\)" \
    symbolize a b
# The BOOL trap: a boolean word right after a bare BOOL option is its
# value misplaced, not the program (a program called "0" would run).
bad "did you mean --serialno=0\?" --serialno 0 $program
bad "did you mean --gdb=no\?" --gdb no $program
bad "did you mean --stats=on\?" --stats on $program
bad "did you mean --ser=1\?" --ser 1 $program
bad "did you mean --mallocstats=off\?" --frames 4 --mallocstats off $program
bad "did you mean --follow-children=false\?" --follow-children false
bad "did you mean --serialno=true\?" --serialno true
bad "did you mean --gdb=yes\?" --gdb yes

# And a good line still works: the first of --help, --version and
# --list-options acts.
"$DEADBYTE" --version --help >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" -eq 0 ] && grep -q '^deadbyte [0-9]' "$tmp/out" &&
    [ "$(wc -l <"$tmp/out")" -eq 1 ] && [ ! -s "$tmp/err" ]; then
    echo "PASS: deadbyte --version --help"
    passes=$((passes + 1))
else
    echo "FAIL: deadbyte --version --help: status $status"
    failures=$((failures + 1))
fi
rm -f "$canary"
"$DEADBYTE" --frames=4 --quarantine=1M --leaks=no $program 2>"$tmp/err"
status=$?
if [ "$status" -eq 0 ] && [ -e "$canary" ] && [ ! -s "$tmp/err" ]; then
    echo "PASS: good options run the program"
    passes=$((passes + 1))
else
    echo "FAIL: good options: status $status"; cat "$tmp/err"
    failures=$((failures + 1))
fi

# After "--", a program whose name is a boolean word runs.
printf '#!/bin/sh\ntouch "%s"\n' "$canary" >"$tmp/1" && chmod +x "$tmp/1" ||
    exit 99
rm -f "$canary"
PATH="$tmp:$PATH" "$DEADBYTE" --serialno -- 1 2>"$tmp/err"
status=$?
if [ "$status" -eq 0 ] && [ -e "$canary" ] && [ ! -s "$tmp/err" ]; then
    echo "PASS: deadbyte --serialno -- 1 runs the program 1"
    passes=$((passes + 1))
else
    echo "FAIL: deadbyte --serialno -- 1: status $status"; cat "$tmp/err"
    failures=$((failures + 1))
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
