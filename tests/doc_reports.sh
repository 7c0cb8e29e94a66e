#!/bin/sh
# doc_reports.sh -- every report shown in deadbyte(1), deadbyte(7),
# libdeadbyte(3) and README.md comes from a real run of the example it
# names, so that the pages cannot drift from the tool.
#
# How a page names its example.  In a man page, one or more comment lines
# right before the .EX that opens the sample:
#     .\" sample: deadbyte ./examples/c_overflow
# in README.md, one or more HTML comments right before the opening fence:
#     <!-- sample: deadbyte ./examples/c_overflow -->
# The text after "sample:" is a shell command; it runs in a scratch
# directory where ./examples/ is the build tree's examples/ and deadbyte is
# the launcher just built.  It must name a program ./examples/NAME.
#
# What is compared.  Each command gives a transcript: "$ COMMAND", what it
# writes (standard output and error together), "$ echo $?" and its exit
# status.  The sample (roff escapes decoded) must appear in the
# transcripts of its commands, one after the other: its lines are
# consecutive lines of the transcript, except that a line "..." (alone,
# any indentation) stands for lines left out.  Both sides are masked
# first: addresses, pids, call and block numbers, paths; of the frames
# only those in an example's own source are kept, as "function
# examples/FILE:LINE" (the C library's frames change from machine to
# machine, and at -O2 or with clang some frames are inlined away), so the
# page may show such frames as a real run on one machine printed them.
#
# A block that shows a report line (see is_report below) and names no
# example is an error: every sample must be covered.
set -u
DEADBYTE="$top_builddir/tool/deadbyte"
[ -x "$DEADBYTE" ] || { echo "doc_reports.sh: $DEADBYTE not built" >&2; exit 99; }
top_builddir=$(cd "$top_builddir" && pwd)
top_srcdir=$(cd "$top_srcdir" && pwd)
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/run" "$tmp/blocks" || exit 99
ln -s "$top_builddir/tool/deadbyte" "$tmp/bin/deadbyte" || exit 99
ln -s "$top_builddir/examples" "$tmp/run/examples" || exit 99
passes=0
failures=0
pass() { echo "PASS: $1"; passes=$((passes + 1)); }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }
have_gdb=no
command -v gdb >/dev/null 2>&1 && have_gdb=yes

# The masking of tests/launcher_examples.sh, and of tests/examples.sh for
# the programs linked with libdeadbyte (libtool runs them from .libs/, as
# lt-NAME), and gdb's frame numbers, which depend on how deadbyte's own
# frames were inlined.
normalise() {
    sed -E -e '/^  #[0-9]+ /{' -e '/ [^ ]*examples\/[^ ]*:[0-9]+$/!d' \
        -e 's|^  #[0-9]+ 0x[0-9a-f]+ in ([^ ]+) .*(examples/[^/ ]+:[0-9]+)$|  # in \1 \2|' \
        -e '}' \
        -e 's/0x[0-9a-f]{6,}/0xADDR/g' -e 's/call #[0-9]+/call #N/g' \
        -e 's/process [0-9]+ \((.*\/)?(lt-)?([^/)]*)\):$/process PID (\3):/' \
        -e 's/\[[0-9]+\]/[PID]/g' \
        -e 's#(in the (data|code) of ).*/([^/]+)\.$#\1\3.#' \
        -e 's/^((Direct|Indirect) leak of .* at 0xADDR):.*/\1/' \
        -e 's#(--break-at )[0-9]+ ([^ ]*/)?(lt-)?([^/ ]+)$#\1N ./examples/\4#' \
        -e 's/--break-at [0-9]+/--break-at N/g' -e 's/block #[0-9]+/block #N/g' \
        -e 's/^#[0-9]+ +0xADDR in /#N 0xADDR in /' \
        -e 's#^(\#N 0xADDR in .* at )[^ ]*/(examples/[^/ ]+:[0-9]+)$#\1\2#' \
        -e '/^Aborted( \(core dumped\))?$/d'
}

# The man pages' samples are in .EX/.EE; the escapes they use are decoded.
# A backslash left after that is an escape this test does not know: an
# error, rather than a comparison that silently goes wrong.
unroff() {
    sed -e 's/\\e/\x01/g' -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" \
        -e 's/\\(dq/"/g' -e 's/\\(lq/"/g' -e 's/\\(rq/"/g' \
        -e 's/\\&//g' -e 's/\\(ti/~/g' -e 's/\\(ha/^/g'
}

# A line that only a report has.
is_report='^(deadbyte: (fatal error|leak check) in process|deadbyte: [0-9]+ errors? in [0-9]+ process|deadbyte: [0-9]+ bytes leaked|Debug memory block|Fatal error: |(Direct|Indirect) leak of|To stop when this block|deadbyte: stopped where block|.* at \(most recent call first\):$|  #[0-9]+ 0x)'

# Cut a document into blocks: $tmp/blocks/N.txt (the text), N.cmd (the
# commands of its markers, one a line), N.where (file:line).
n=0
extract() {
    awk -v dir="$tmp/blocks" -v file="$1" -v kind="$2" -v start="$n" '
        BEGIN { n = start }
        function opens() {
            return kind == "roff" ? /^\.EX/ : /^```/
        }
        function closes() {
            return kind == "roff" ? /^\.EE/ : /^```/
        }
        inblock {
            if (closes()) { inblock = 0; close(txt); next }
            print > txt; next
        }
        kind == "roff" && /^\.\\" sample: / {
            sub(/^\.\\" sample: /, ""); cmds = cmds $0 "\n"; next
        }
        kind == "md" && /^<!-- sample: .* -->$/ {
            sub(/^<!-- sample: /, ""); sub(/ -->$/, ""); cmds = cmds $0 "\n"; next
        }
        opens() {
            n++; inblock = 1
            txt = dir "/" n ".txt"; printf "" > txt
            printf "%s", cmds > (dir "/" n ".cmd"); close(dir "/" n ".cmd")
            print file ":" NR > (dir "/" n ".where"); close(dir "/" n ".where")
            cmds = ""; next
        }
        { cmds = "" }
        END { print n > (dir "/count") }
    ' "$3" || exit 99
    n=$(cat "$tmp/blocks/count")
}
for page in man/deadbyte.1 man/deadbyte.7 man/libdeadbyte.3; do
    first=$((n + 1))
    extract "$page" roff "$top_srcdir/$page"
    i=$first
    while [ "$i" -le "$n" ]; do
        unroff <"$tmp/blocks/$i.txt" >"$tmp/blocks/$i.dec"
        mv "$tmp/blocks/$i.dec" "$tmp/blocks/$i.txt"
        if grep -q '\\' "$tmp/blocks/$i.txt"; then
            fail "$(cat "$tmp/blocks/$i.where"): a roff escape doc_reports.sh cannot decode: $(grep '\\' "$tmp/blocks/$i.txt" | head -n 1)"
        fi
        tr '\001' '\\' <"$tmp/blocks/$i.txt" >"$tmp/blocks/$i.dec"
        mv "$tmp/blocks/$i.dec" "$tmp/blocks/$i.txt"
        i=$((i + 1))
    done
done
extract README.md md "$top_srcdir/README.md"

# run COMMAND: its transcript, masked, on standard output.
run() {
    (
        cd "$tmp/run" || exit 99
        printf '$ %s\n' "$1"
        # dash tells of a program killed by a signal on its own standard
        # error: that line is the shell's, not the program's.
        (ulimit -c 0; PATH="$tmp/bin:$PATH"; export PATH
         timeout 60 sh -c "$1" </dev/null 2>&1
         status=$?
         echo "\$ echo \$?"
         echo "$status") 2>/dev/null
    ) | normalise
}

# in_order SAMPLE TRANSCRIPT: whether the sample's lines appear in the
# transcript as described at the top; if not, says which line is missing.
in_order() {
    awk -v sample="$1" '
        { t[++nt] = $0 }
        END {
            ns = 0
            while ((getline line < sample) > 0) s[++ns] = line
            pos = 1; i = 1
            while (i <= ns) {
                if (s[i] ~ /^ *\.\.\. *$/) { i++; continue }
                j = i
                while (j <= ns && s[j] !~ /^ *\.\.\. *$/) j++
                len = j - i; found = 0
                for (k = pos; k + len - 1 <= nt && !found; k++) {
                    ok = 1
                    for (m = 0; m < len && ok; m++)
                        if (t[k + m] != s[i + m]) ok = 0
                    if (ok) { found = 1; pos = k + len }
                }
                if (!found) {
                    # Name the first line of the chunk the run does not have
                    # after what matched so far, to make the diff short.
                    for (m = 0; m < len; m++) {
                        seen = 0
                        for (k = pos; k <= nt; k++) if (t[k] == s[i + m]) seen = 1
                        if (!seen) break
                    }
                    if (m == len) m = 0
                    printf "    this line of the sample is not where the run has it:\n    |%s\n", s[i + m]
                    exit 1
                }
                i = j
            }
        }
    ' "$2"
}

i=1
while [ "$i" -le "$n" ]; do
    where=$(cat "$tmp/blocks/$i.where")
    if [ ! -s "$tmp/blocks/$i.cmd" ]; then
        if grep -Eq "$is_report" "$tmp/blocks/$i.txt"; then
            fail "$where: a sample report that names no example (add a 'sample:' line before it, see tests/doc_reports.sh)"
            grep -E "$is_report" "$tmp/blocks/$i.txt" | head -n 1 | sed 's/^/    |/'
        fi
        i=$((i + 1))
        continue
    fi
    : >"$tmp/transcript"
    bad=
    skip=
    while IFS= read -r cmd; do
        name=$(printf '%s\n' "$cmd" | sed -n -E 's#.*\./examples/([A-Za-z0-9_]+).*#\1#p')
        if [ -z "$name" ]; then
            bad="its command names no ./examples/ program: $cmd"
        elif [ ! -x "$top_builddir/examples/$name" ]; then
            bad="examples/$name is not built (or does not exist)"
        fi
        case $cmd in *--gdb*) [ "$have_gdb" = yes ] || skip=gdb ;; esac
        [ -z "$bad$skip" ] && run "$cmd" >>"$tmp/transcript"
    done <"$tmp/blocks/$i.cmd"
    label="$where ($(head -n 1 "$tmp/blocks/$i.cmd"))"
    if [ -n "$bad" ]; then
        fail "$where: $bad"
    elif [ -n "$skip" ]; then
        echo "SKIP: $label: gdb is not installed"
    elif normalise <"$tmp/blocks/$i.txt" >"$tmp/sample" &&
         in_order "$tmp/sample" "$tmp/transcript" >"$tmp/why"; then
        pass "$label"
    else
        fail "$label: the page and the run differ"
        cat "$tmp/why"
        echo "    the run, masked:"
        sed 's/^/    |/' "$tmp/transcript"
    fi
    i=$((i + 1))
done

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ] && [ "$passes" -gt 0 ]
