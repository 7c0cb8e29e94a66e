#!/bin/sh
# docs.sh -- the man pages against the code: every option of the launcher
# (deadbyte --list-options, i.e. lib/options.def) and its variable are
# documented in deadbyte(1) and shown by --help; every subcommand of
# --help is in the SYNOPSIS of deadbyte(1); every exported function has a
# page; Makefile.am installs and distributes every page and no other;
# every page renders without a warning under groff and passes mandoc's
# lint.  One line per check; exit 0, 1 on a failure, 99 when the test
# itself cannot run.
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
