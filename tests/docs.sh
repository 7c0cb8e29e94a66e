#!/bin/sh
# docs.sh -- the man pages against the code: every option of the launcher
# (deadbyte --list-options, i.e. lib/options.def) and its variable are
# documented in deadbyte(1) and shown by --help, and each entry agrees
# with the table: its value word is --help's, it contains the table's
# one-line help (which --help prints as it is), and it gives the table's
# default, as --help does; every type of the table is named by the page's
# --list-options entry and every value word of --help is a type of the
# page; every variable has an entry in ENVIRONMENT pointing at its
# option; README.md's options table has a row for each option, with the
# table's default; and every DEADBYTE_ name in the pages and README.md is a
# variable of the table or a name of deadbyte.h or libdeadbyte.sym; every
# exit status that EXIT STATUS of deadbyte(1) or --help names is produced
# by a run below; every subcommand of --help is in the SYNOPSIS of
# deadbyte(1); every exported function has a page; Makefile.am installs
# and distributes every page and no other; every page renders without a
# warning under groff and passes mandoc's lint.  One line per check;
# exit 0, 1 on a failure, 99 when the test itself cannot run.
set -u

: "${top_srcdir:?docs.sh: top_srcdir is not set}"
: "${top_builddir:?docs.sh: top_builddir is not set}"
# Absolute: the pages are rendered from another directory, and top_srcdir
# is relative in a VPATH build such as distcheck's.
MAN=$(cd "$top_srcdir/man" 2>/dev/null && pwd) ||
    { echo "docs.sh: $top_srcdir/man: no such directory" >&2; exit 99; }
DEADBYTE="$top_builddir/tool/deadbyte"
[ -x "$DEADBYTE" ] || { echo "docs.sh: $DEADBYTE not built" >&2; exit 99; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

failures=0
passes=0
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
skip() { echo "SKIP: $*"; }
check() { # check DESCRIPTION COMMAND...: pass if COMMAND succeeds
    what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

# Alias pages are one line, ".so man3/<page>.3"; the others are pages.
is_alias() { head -n 1 "$1" | grep -q '^\.so '; }

# ---- (a) Options: deadbyte(1) and --help document every row -------------

"$DEADBYTE" --list-options >"$tmp/options" 2>"$tmp/err" ||
    { echo "docs.sh: deadbyte --list-options failed:" >&2; cat "$tmp/err" >&2; exit 99; }
[ -s "$tmp/options" ] || { echo "docs.sh: deadbyte --list-options printed nothing" >&2; exit 99; }
"$DEADBYTE" --help >"$tmp/help" 2>"$tmp/err" ||
    { echo "docs.sh: deadbyte --help failed:" >&2; cat "$tmp/err" >&2; exit 99; }
[ -f "$MAN/deadbyte.1" ] || { echo "docs.sh: $MAN/deadbyte.1 is missing" >&2; exit 99; }

# deadbyte.1 as words: roff writes "-" as "\-" and marks words "\%".
sed -e 's/\\%//g' -e 's/\\-/-/g' "$MAN/deadbyte.1" >"$tmp/deadbyte.1"
# The tags of its OPTIONS section: the line after each .TP.
awk '/^\.SH/ { in_options = ($0 ~ /^\.SH "?OPTIONS"?$/) }
     in_options && tag { print }
     { tag = in_options && /^\.TP/ }' "$tmp/deadbyte.1" >"$tmp/tags"

# Option names are [a-z0-9-] and variables [A-Z0-9_]: safe in a regex.
while IFS='	' read -r option _ _ variable _; do
    case $option in --[a-z]*) ;; *) echo "docs.sh: bad line in --list-options: $option" >&2; exit 99 ;; esac
    check "$option is an entry of OPTIONS in deadbyte.1" \
        grep -Eq "^\.(B|BR|BI) +$option([^a-z0-9-]|\$)" "$tmp/tags"
    check "$variable is in deadbyte.1" \
        grep -Eq "(^|[^A-Z0-9_])$variable([^A-Z0-9_]|\$)" "$tmp/deadbyte.1"
    check "$option is in deadbyte --help" \
        grep -Eq -- "$option([^a-z0-9-]|\$)" "$tmp/help"
    check "$variable is in deadbyte --help" \
        grep -Eq "(^|[^A-Z0-9_])$variable([^A-Z0-9_]|\$)" "$tmp/help"
done <"$tmp/options"
for option in --list-options --help --version; do
    check "$option is an entry of OPTIONS in deadbyte.1" \
        grep -Eq "^\.(B|BR|BI) +(-[a-zA-Z] +\", \" +)?$option([^a-z0-9-]|\$)" "$tmp/tags"
done

# ---- (a2) Each entry agrees with the table -----------------------------

# roff as words, one line per section (SECTIONS) or per .TP entry of one
# section (ENTRIES, "TAG<tab>BODY"): enough of man(7) for these pages.
cat >"$tmp/words.awk" <<'EOF'
function unescape(s) {
    gsub(/\\f[BIRP]/, "", s); gsub(/\\%/, "", s); gsub(/\\&/, "", s)
    gsub(/\\-/, "-", s); gsub(/\\\(lq|\\\(rq/, "\"", s)
    gsub(/\\\(aq/, "'", s); gsub(/\\\(ha/, "^", s); gsub(/\\~/, " ", s)
    gsub(/\\ /, " ", s)
    return s
}
# The arguments of a macro line, quotes honoured, joined by SEP.
function args(s, sep,    out, arg, n, c, quoted, started, i) {
    out = ""; arg = ""; n = 0; quoted = 0; started = 0
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (quoted) {
            if (c == "\"") quoted = 0; else arg = arg c
        } else if (c == "\"" && !started) {
            quoted = 1; started = 1
        } else if (c == " " || c == "\t") {
            if (started) { out = out (n++ ? sep : "") arg; arg = ""; started = 0 }
        } else if (c == "\\" && i < length(s)) {
            arg = arg c substr(s, i + 1, 1); i++; started = 1
        } else {
            arg = arg c; started = 1
        }
    }
    if (started) out = out (n++ ? sep : "") arg
    return out
}
function words(line) {
    if (line ~ /^\.(B|I|SM|SB) /) { sub(/^\.[A-Z]+ +/, "", line); return unescape(args(line, " ")) }
    if (line ~ /^\.(BR|RB|BI|IB|IR|RI) /) { sub(/^\.[A-Z]+ +/, "", line); return unescape(args(line, "")) }
    if (line ~ /^[.']/) return ""
    return unescape(line)
}
function flush() {
    if (have) { gsub(/[ \t]+/, " ", text); sub(/^ /, "", text); sub(/ $/, "", text)
                print (mode == "entries" ? tag "\t" : "") text }
    have = 0; text = ""; tag = ""
}
/^\.SH/ { flush(); name = $0; sub(/^\.SH +/, "", name); gsub(/"/, "", name)
          inside = (name == section); if (inside && mode == "section") have = 1; next }
!inside { next }
mode == "entries" && /^\.TP/ { flush(); want_tag = 1; next }
want_tag { tag = words($0); want_tag = 0; have = 1; next }
{ text = text " " words($0) }
END { flush() }
EOF
entries() { awk -v mode=entries -v section="$1" -f "$tmp/words.awk" "$2"; }
section() { awk -v mode=section -v section="$1" -f "$tmp/words.awk" "$2"; }
entries OPTIONS "$MAN/deadbyte.1" >"$tmp/entries" &&
    entries ENVIRONMENT "$MAN/deadbyte.1" >"$tmp/env-entries" &&
    [ -s "$tmp/entries" ] && [ -s "$tmp/env-entries" ] ||
    { echo "docs.sh: no OPTIONS or ENVIRONMENT entries in deadbyte.1" >&2; exit 99; }

# contains HAYSTACK NEEDLE: NEEDLE is in HAYSTACK, the case of its first
# letter aside (a help line starts a sentence in the page).
contains() {
    awk -v h="$1" -v n="$2" 'BEGIN {
        first = substr(n, 1, 1); rest = substr(n, 2)
        exit !(n != "" && (index(h, toupper(first) rest) || index(h, tolower(first) rest)))
    }'
}
# The page's entry for OPTION: its tag and body.  An entry's tag is the
# option, then its value word or ", --alias".
entry_of() {
    awk -F '\t' -v o="$1" 'index($1, o) == 1 &&
        substr($1, length(o) + 1, 1) ~ /^([ [,]|)$/ { print; exit }' "$2"
}

while IFS='	' read -r option type default variable help; do
    entry=$(entry_of "$option" "$tmp/entries")
    tag=${entry%%	*}
    body=${entry#*	}
    # --help's line: "  --NAME VALUE   HELP", the next "(VARIABLE, default: D)".
    helpline=$(grep -E -- "^  $option([[ ]|\$)" "$tmp/help" | head -n 1)
    left=$(printf '%s\n' "$helpline" | sed 's/^  \([^ ]*\( [^ ]\{1,\}\)\{0,1\}\)  .*/\1/')
    right=$(printf '%s\n' "$helpline" | sed 's/^  [^ ].*[^ ]  \{1,\}//; s/^  [^ ]*  \{1,\}//')
    check "$option: the page's tag ($tag) is --help's ($left)" \
        eval 'case $tag in "$left" | "$left, "*) true ;; *) false ;; esac'
    check "$option: --help prints the table's help line" \
        test "$right" = "$help"
    check "$option: the page's entry contains the table's help line" \
        contains "$body" "$help"
    if [ "$default" = - ]; then
        page_default="Variable $variable; not set by default"
        help_default="($variable, default: not set)"
    else
        page_default="Variable $variable; default $default"
        help_default="($variable, default: $default)"
    fi
    check "$option: the page says \"$page_default\"" \
        eval 'printf "%s\n" "$body" | grep -Eq -- "$page_default([^A-Za-z0-9]|\$)"'
    check "$option: --help says \"$help_default\"" grep -qF -- "$help_default" "$tmp/help"
    # README.md's table: "| `--frames N` | `DEADBYTE_FRAMES` | `16` | ...".
    readme_default=$(sed -n "s/^| \`$option[\` [].*| \`$variable\` | \(\`\([^\`]*\)\`\)\{0,1\}[^|]*|.*/\2/p" \
        "$top_srcdir/README.md" | head -n 1)
    check "$option has a row in the options table of README.md" \
        grep -q "^| \`$option[\` []" "$top_srcdir/README.md"
    check "$option: README.md gives the table's default" \
        test "$readme_default" = "$(echo "$default" | sed 's/^-$//')"
    check "$variable has an entry in ENVIRONMENT that points to $option" \
        eval 'grep -Eq -- "^$variable	See $option\.( |\$)" "$tmp/env-entries"'
done <"$tmp/options"

# Types: the page's --list-options entry names every type of the table,
# and every value word of --help ("--frames N") is a type of OPTIONS.
list_entry=$(entry_of --list-options "$tmp/entries")
cut -f 2 "$tmp/options" | sort -u >"$tmp/types"
while read -r type; do
    check "type $type is named in the --list-options entry of deadbyte.1" \
        eval 'printf "%s\n" "$list_entry" | grep -Eq -- "(^|[^A-Z])$type([^A-Z]|\$)"'
done <"$tmp/types"
sed -n 's/^  --[a-z-]*\[=\([A-Z]*\)\].*/\1/p; s/^  --[a-z-]* \([A-Z]\{1,\}\).*/\1/p' \
    "$tmp/help" | sort -u >"$tmp/value-words"
cut -f 1 "$tmp/entries" >"$tmp/entry-tags"
while read -r word; do
    check "value word $word of --help is a type of OPTIONS in deadbyte.1" \
        eval 'grep -Eq -- "(^|, )$word(,|\$)" "$tmp/entry-tags"'
done <"$tmp/value-words"

# ---- (a3) Every DEADBYTE_ name in the pages exists ----------------------

# A variable of the table, a name of deadbyte.h (macros, constants) or a
# symbol version of libdeadbyte.sym; page titles (.TH) and the samples of
# the message about an unknown variable aside.
cut -f 4 "$tmp/options" >"$tmp/known"
grep -ho 'DEADBYTE_[A-Z0-9_]*' "$top_srcdir/include/deadbyte.h" \
    "$top_srcdir/lib/libdeadbyte.sym" >>"$tmp/known"
for file in "$MAN"/*.[1-9] "$top_srcdir/README.md"; do
    grep -v -e '^\.TH ' -e 'unknown variable' "$file" |
        sed -e 's/\\%//g' -e 's/\\f[BIRP]//g' |
        grep -o 'DEADBYTE_[A-Z0-9][A-Z0-9_]*' | sort -u |
        while read -r name; do
            grep -qxF "$name" "$tmp/known" ||
                echo "$name"
        done >"$tmp/unknown"
    check "${file##*/} names no DEADBYTE_ variable that does not exist" \
        test ! -s "$tmp/unknown"
    sed 's/^/    unknown: /' "$tmp/unknown"
done

# ---- (a4) Exit statuses: each one the pages name, from a run ------------

# run LABEL STATUS ARG...: deadbyte ARG... (stdin /dev/null, output to
# $tmp/run.out) exits with STATUS; LABEL is the status as EXIT STATUS of
# deadbyte(1) names it ("128+n", "N", "134").
: >"$tmp/labels"
run() {
    label=$1 want=$2
    shift 2
    echo "$label" >>"$tmp/labels"
    (ulimit -c 0; timeout 120 "$DEADBYTE" "$@") </dev/null >"$tmp/run.out" 2>&1
    got=$?
    if [ "$got" -eq "$want" ]; then
        pass "exit status $want ($label): deadbyte $*"
    else
        fail "exit status $got, not $want ($label): deadbyte $*"
        sed 's/^/    /' "$tmp/run.out" | head -n 10
    fi
}
ex="$top_builddir/examples"
printf 'not a program\n' >"$tmp/not-executable"
chmod 644 "$tmp/not-executable"
run 0 0 --help
run 0 0 --version
run 0 0 --list-options
run 0 0 "$ex/clean_c"
run 0 0 symbolize /dev/null
run program 3 sh -c 'exit 3'
run 128+n 143 sh -c 'kill -TERM $$'
run 134 134 "$ex/c_overflow"
run 134 134 "$ex/overflow_at_exit"
run 133 133 --break-at=1 --break-action=trap "$ex/clean_c"
run N 23 --leak-exitcode=23 "$ex/leak"
run 125 125 --bogus "$ex/clean_c"
run 125 125 --frames=x "$ex/clean_c"
run 125 125 --serialno 0 "$ex/clean_c"
run 125 125
run 125 125 symbolize a b
run 126 126 "$tmp/not-executable"
run 127 127 "$tmp/no-such-program"
if command -v gdb >/dev/null 2>&1; then
    run program 3 --gdb sh -c 'exit 3'
    run 134 134 --gdb "$ex/c_overflow"
    run 133 133 --gdb --break-at=1 "$ex/clean_c"
else
    skip "gdb is not installed: the statuses under --gdb are not run"
fi
# The statuses named: the tags of EXIT STATUS ("128+n", "N", "125"...)
# and the numbers of its text, section numbers of pages "(3)" aside; and
# the numbers of --help's "Exit status:" paragraph.
entries "EXIT STATUS" "$MAN/deadbyte.1" | cut -f 1 >"$tmp/named"
section "EXIT STATUS" "$MAN/deadbyte.1" | sed 's/([0-9])//g' |
    grep -oE '(^|[^A-Za-z0-9_+])(128\+n|[0-9]+)' | grep -oE '128\+n|[0-9]+' >>"$tmp/named"
sed -n '/^Exit status:/,/^$/p' "$tmp/help" | sed 's/128+N/128+n/g' |
    grep -oE '128\+n|[0-9]+' >>"$tmp/named"
sort -u "$tmp/named" >"$tmp/named-once"
while read -r label; do
    check "exit status $label, named in deadbyte.1 or --help, has a run" \
        grep -qxF -- "$label" "$tmp/labels"
done <"$tmp/named-once"

# Subcommands: "  or:  deadbyte symbolize [REPORT-FILE]" in --help must be
# in the SYNOPSIS of deadbyte.1, as ".B deadbyte symbolize".
awk '/^\.SH/ { in_synopsis = ($0 ~ /^\.SH "?SYNOPSIS"?$/); next }
     in_synopsis' "$tmp/deadbyte.1" >"$tmp/synopsis"
sed -n -e 's/^Usage: *deadbyte \([a-z][a-z-]*\).*/\1/p' \
    -e 's/^ *or: *deadbyte \([a-z][a-z-]*\).*/\1/p' "$tmp/help" >"$tmp/commands"
while read -r command; do
    check "deadbyte $command is in the SYNOPSIS of deadbyte.1" \
        grep -Eq "^\.B +deadbyte +$command( |\$)" "$tmp/synopsis"
done <"$tmp/commands"

# ---- Every exported function has a page ---------------------------------

sym="$top_srcdir/lib/libdeadbyte.sym"
[ -f "$sym" ] || { echo "docs.sh: $sym is missing" >&2; exit 99; }
sed -n 's/^ *\(deadbyte_[a-z_]*\);.*/\1/p' "$sym" >"$tmp/functions"
[ -s "$tmp/functions" ] || { echo "docs.sh: no function found in $sym" >&2; exit 99; }
while read -r name; do
    check "$name has a page, man/$name.3" test -f "$MAN/$name.3"
done <"$tmp/functions"

# Alias pages point at a page that exists.
for page in "$MAN"/*.[1-9]; do
    is_alias "$page" || continue
    name=${page##*/}
    target=$(sed -n '1s/^\.so man[1-9]\/\(.*\)$/\1/p' "$page")
    ok=no
    if [ "$(wc -l <"$page")" -eq 1 ] && [ -n "$target" ] && [ -f "$MAN/$target" ]; then
        ok=yes
    fi
    check "$name is one line, .so of an existing page" test $ok = yes
done

# ---- Makefile.am installs and distributes exactly the pages of man/ -----

# dist_man_MANS lists every page by name (no wildcards): the words of its
# assignments, continuation lines included, that start with "man/".
am="$top_srcdir/Makefile.am"
[ -f "$am" ] || { echo "docs.sh: $am is missing" >&2; exit 99; }
awk '/^dist_man_MANS[ \t]*\+?=/ { on = 1 }
     on { print; if ($0 !~ /\\$/) on = 0 }' "$am" |
    tr ' \t\\' '\n\n\n' | grep '^man/' | sort >"$tmp/listed"
(cd "$top_srcdir" && for page in man/*.[1-9]; do echo "$page"; done) |
    sort >"$tmp/pages"
while read -r page; do
    check "$page is in dist_man_MANS of Makefile.am" grep -qxF "$page" "$tmp/listed"
done <"$tmp/pages"
while read -r page; do
    check "$page of dist_man_MANS exists" grep -qxF "$page" "$tmp/pages"
done <"$tmp/listed"

# ---- (b) groff renders every page without a warning ---------------------

# ".so man3/x.3" is looked up from the current directory, as man(1) does
# from the top of a manual tree: give the alias pages such a tree.
mkdir "$tmp/tree" && for s in 1 3 7; do ln -s "$MAN" "$tmp/tree/man$s"; done ||
    exit 99
if command -v groff >/dev/null 2>&1; then
    for page in "$MAN"/*.[1-9]; do
        name=${page##*/}
        (cd "$tmp/tree" && groff -man -ww -z -Tutf8 "$page") >"$tmp/out" 2>&1
        status=$?
        if [ $status -eq 0 ] && [ ! -s "$tmp/out" ]; then
            pass "groff renders $name without a warning"
        else
            fail "groff on $name (status $status):"
            sed 's/^/    /' "$tmp/out"
        fi
    done
else
    skip "groff is not installed: pages not rendered"
fi

# ---- (c) mandoc's lint --------------------------------------------------

# mandoc says of every alias page "WARNING: .so is fragile, better use
# ln(1)": a style preference for hard links.  deadbyte's aliases are
# one-line .so pages by design, in the form of util-linux's library pages:
# man-db and mandoc both follow them, and "make install", which copies
# pages one by one, would turn hard links into full copies.  That one
# warning is therefore accepted, on alias pages only; any other message
# is a failure.
if command -v mandoc >/dev/null 2>&1; then
    for page in "$MAN"/*.[1-9]; do
        name=${page##*/}
        (cd "$tmp/tree" && mandoc -T lint -W warning "$page") >"$tmp/out" 2>&1
        if is_alias "$page"; then
            grep -v 'WARNING: \.so is fragile, better use ln(1)' "$tmp/out" >"$tmp/rest"
        else
            cp "$tmp/out" "$tmp/rest"
        fi
        if [ ! -s "$tmp/rest" ]; then
            pass "mandoc -T lint finds nothing in $name"
        else
            fail "mandoc -T lint on $name:"
            sed 's/^/    /' "$tmp/rest"
        fi
    done
else
    skip "mandoc is not installed: pages not linted"
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
