#!/bin/sh
# real_programs.sh -- real programs nobody here wrote run under deadbyte
# exactly as they run alone.  Each workload runs twice, in a directory of
# its own: plain, then with every program it starts under
# "$DEADBYTE" --.  Both runs must exit 0 with the same standard output,
# and the deadbyte run's standard error must be the plain run's (so: no
# report, no summary line).  The inputs are generated here and the
# outputs are deterministic.
#
# Programs: python3 (PYTHONMALLOC=malloc, so that its own allocator does
# not hide the heap), sqlite3, gcc (cc1 and as are children of gcc), g++
# (compiles, links and runs), perl, git, make, and examples/clean_cxx if
# it is built.  A program missing from PATH is skipped; if all of them
# are, the test is skipped (77).  No launcher built: hard error (99).
#
# Environment: top_srcdir and top_builddir, as set by the test harness
# (default: .).  DEADBYTE_LAUNCHER, if set, is the launcher to use instead
# of $top_builddir/tool/deadbyte: a path or a command name, run as
# "$DEADBYTE_LAUNCHER" -- program args...; DEADBYTE_LAUNCHER=env checks
# this script itself with no debugger at all.
# shellcheck disable=SC2317 # the workloads are called through check()
set -u
: "${top_srcdir:=.}" "${top_builddir:=.}"
# Output must be identical: leave the leak report out, since gcc and perl
# genuinely leak at exit (tests/leaks.sh checks those reports against
# Valgrind's).
DEADBYTE_LEAKS=no
export DEADBYTE_LEAKS
# The make workload must not see the make that runs this test.
unset MAKEFLAGS MFLAGS MAKELEVEL
# The workloads run in a temporary directory: make the paths absolute.
top_builddir=$(cd "$top_builddir" && pwd) || exit 99

if [ -n "${DEADBYTE_LAUNCHER:-}" ]; then
    DEADBYTE=$DEADBYTE_LAUNCHER
    command -v "$DEADBYTE" >/dev/null 2>&1 || {
        echo "real_programs.sh: DEADBYTE_LAUNCHER=$DEADBYTE: not found" >&2
        exit 99
    }
else
    DEADBYTE=$top_builddir/tool/deadbyte
    [ -x "$DEADBYTE" ] || {
        echo "real_programs.sh: $DEADBYTE not built" >&2
        exit 99
    }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/real_programs.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# The same environment for both runs, and one that does not depend on
# the user's: no core files of aborted programs, the C locale, no rc
# files of git.
# shellcheck disable=SC3045 # dash and bash have ulimit -c
ulimit -c 0 2>/dev/null || :
LC_ALL=C
GIT_CONFIG_NOSYSTEM=1
GIT_CONFIG_GLOBAL=/dev/null
export LC_ALL GIT_CONFIG_NOSYSTEM GIT_CONFIG_GLOBAL
# A hung run fails instead of hanging the suite.
if command -v timeout >/dev/null 2>&1; then
    limit="timeout 300"
else
    limit=
fi

passed=0 failed=0 skipped=0

# run PROGRAM [ARG]...: run PROGRAM plain or under the launcher, as the
# current run ($mode) wants.
run() {
    if [ "$mode" = deadbyte ]; then
        $limit "$DEADBYTE" -- "$@"
    else
        $limit "$@"
    fi
}

# check NAME FUNCTION [PROGRAM]...: FUNCTION runs the workload of NAME
# in an empty current directory, through run() for everything that is
# tested; it fails if any step fails.  Skipped when a PROGRAM is missing.
check() {
    name=$1 fn=$2
    shift 2
    for prog in "$@"; do
        command -v "$prog" >/dev/null 2>&1 || {
            if [ "$prog" = "$name" ]; then
                echo "SKIP: $name"
            else
                echo "SKIP: $name ($prog not found)"
            fi
            skipped=$((skipped + 1))
            return
        }
    done
    out=$tmp/$name
    for mode in plain deadbyte; do
        mkdir -p "$out/$mode"
        (cd "$out/$mode" || exit 99; set -e; "$fn") \
            <"$tmp/empty" >"$out/$mode.out" 2>"$out/$mode.err"
        echo $? >"$out/$mode.status"
    done
    plain_status=$(cat "$out/plain.status")
    db_status=$(cat "$out/deadbyte.status")
    if [ "$plain_status" = 0 ] && [ "$db_status" = 0 ] &&
       cmp -s "$out/plain.out" "$out/deadbyte.out" &&
       cmp -s "$out/plain.err" "$out/deadbyte.err"; then
        echo "PASS: $name"
        passed=$((passed + 1))
        return
    fi
    echo "FAIL: $name (exit status: plain $plain_status," \
         "under deadbyte $db_status)"
    for stream in out err; do
        cmp -s "$out/plain.$stream" "$out/deadbyte.$stream" && continue
        echo "std$stream differs:"
        diff -u "$out/plain.$stream" "$out/deadbyte.$stream" | head -n 60
    done
    if [ "$plain_status" != 0 ]; then
        echo "the plain run failed; its stderr:"
        head -n 20 "$out/plain.err"
    fi
    failed=$((failed + 1))
}

: >"$tmp/empty"

# ---- python3: dicts, strings, tuples, sort, json, hashlib ---------------
python3_workload() {
    cat >work.py <<'EOF'
import hashlib, json
items = []
for i in range(200000):
    k = i * 7919 % 200003
    name = "item-%06d" % k
    items.append({"id": k, "name": name.upper().split("-")[1],
                  "tags": (name[-1], k % 13)})
items.sort(key=lambda d: (d["tags"], d["name"]))
text = json.dumps(items, sort_keys=True)
counts = {}
for d in items:
    counts[d["tags"][0]] = counts.get(d["tags"][0], 0) + 1
print(len(items), len(text), hashlib.sha256(text.encode()).hexdigest())
print(" ".join("%s=%d" % kv for kv in sorted(counts.items())))
print(items[0]["name"], items[-1]["name"])
EOF
    PYTHONMALLOC=malloc PYTHONHASHSEED=0
    export PYTHONMALLOC PYTHONHASHSEED
    run python3 -s work.py
}
check python3 python3_workload python3

# ---- sqlite3: tables, a transaction of 20000 rows, index, join ----------
sqlite3_workload() {
    cat >work.sql <<'EOF'
CREATE TABLE city (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE sale (id INTEGER PRIMARY KEY, city INTEGER, item TEXT,
                   qty INTEGER, price REAL);
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
INSERT INTO city SELECT i, 'city-' || printf('%02d', i) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n
                        WHERE i < 20000)
INSERT INTO sale (city, item, qty, price)
SELECT i * 37 % 50 + 1, 'item-' || (i * 7919 % 211), i % 17 + 1,
       (i * 31 % 1000) / 10.0 FROM n;
COMMIT;
CREATE INDEX sale_city ON sale (city);
CREATE INDEX sale_item ON sale (item, qty);
SELECT count(*), sum(qty), round(sum(qty * price), 2) FROM sale;
SELECT c.name, count(*), sum(s.qty), round(avg(s.price), 3)
  FROM sale s JOIN city c ON c.id = s.city
 GROUP BY c.name ORDER BY sum(s.qty) DESC, c.name LIMIT 10;
SELECT item, count(DISTINCT city) FROM sale
 GROUP BY item HAVING count(*) >= 95 ORDER BY item LIMIT 10;
SELECT group_concat(name, ',') FROM (SELECT name FROM city
 WHERE id IN (SELECT city FROM sale WHERE qty = 17 AND price > 99.5)
 ORDER BY name DESC);
EOF
    run sqlite3 -batch -init /dev/null work.db <work.sql
}
check sqlite3 sqlite3_workload sqlite3

# ---- gcc: compile a generated C file of 200 functions -------------------
gcc_workload() {
    awk 'BEGIN {
        print "#include <string.h>"
        print "struct rec { int a; long b; char name[24]; };"
        for (i = 0; i < 200; i++) {
            printf "int f%d(struct rec *r, int n)\n{\n", i
            printf "    int acc = %d;\n", i
            printf "    for (int j = 0; j < n; j++) {\n"
            printf "        switch ((j + %d) %% 4) {\n", i
            printf "        case 0: acc += r[j].a * %d; break;\n", i % 7 + 1
            printf "        case 1: acc ^= (int)(r[j].b >> %d); break;\n", i % 5
            printf "        case 2: acc -= (int)strlen(r[j].name); break;\n"
            printf "        default: acc = acc * 3 + %d;\n", i
            printf "        }\n    }\n"
            if (i > 0)
                printf "    return acc + (n > 1 ? f%d(r + 1, n - 2) : 0);\n", i - 1
            else
                printf "    return acc;\n"
            printf "}\n\n"
        }
    }' >gen.c
    run gcc -std=c11 -O2 -Wall -c gen.c -o gen.o
    run nm gen.o >gen.nm
    cksum <gen.nm
    run size gen.o
}
check gcc gcc_workload gcc nm size

# ---- g++: compile, link and run a program with <map> and <string> -------
gxx_workload() {
    cat >words.cc <<'EOF'
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

int main()
{
    std::map<std::string, int> counts;
    std::vector<std::string> words;
    for (int i = 0; i < 5000; i++) {
        std::ostringstream w;
        w << "w" << (i * 7919 % 613);
        words.push_back(w.str());
        counts[words.back()]++;
    }
    std::string longest;
    for (const auto &kv : counts)
        if (kv.first.size() > longest.size())
            longest = kv.first;
    std::cout << counts.size() << " " << words.size() << " " << longest
              << " " << counts.begin()->first << "\n";
    return 0;
}
EOF
    run g++ -std=c++17 -O2 -Wall -o words words.cc
    run ./words
}
check g++ gxx_workload g++

# ---- perl: hashes, sort, sprintf, regular expressions -------------------
perl_workload() {
    run perl -MDigest::MD5=md5_hex -e '
        my (%h, @lines);
        for my $i (1 .. 100000) {
            my $k = sprintf("key-%05d-%s", $i * 7919 % 100003, $i % 7);
            $h{$k} .= $i % 10;
            push @lines, "$k=$i" if $i % 3 == 0;
        }
        my @keys = sort { $h{$a} cmp $h{$b} or $a cmp $b } keys %h;
        my ($sevens, $joined) = (0, "");
        for (@lines) {
            $sevens++ if /^key-(\d+)-6=(\d*7)$/ && $1 % 2;
            (my $t = $_) =~ s/(\d)(\d)/$2$1/g;
            $joined .= substr($t, 0, 6);
        }
        printf "%d keys, %d lines, %d sevens\n", scalar @keys,
               scalar @lines, $sevens;
        print md5_hex(join(",", @keys) . $joined), "\n";'
}
check perl perl_workload perl

# ---- git: a repository of generated files, two commits ------------------
git_workload() {
    GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL=author@example.com
    GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL=committer@example.com
    GIT_AUTHOR_DATE="2024-01-01T00:00:00Z"
    GIT_COMMITTER_DATE="2024-01-01T00:00:00Z"
    export GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME \
        GIT_COMMITTER_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_DATE
    run git init -q -b main repo
    cd repo
    run git config user.name "A U Thor"
    run git config user.email author@example.com
    mkdir src doc
    i=0
    while [ "$i" -lt 120 ]; do
        awk -v n="$i" 'BEGIN { for (j = 0; j < 40; j++)
                               printf "line %d of file %d\n", j * n, n }' \
            >"src/file$i.txt"
        i=$((i + 1))
    done
    printf 'readme\n' >doc/README
    run git add .
    run git commit -q -m "first commit"
    sed 's/line 1/LINE 1/' src/file7.txt >src/file7.new
    mv src/file7.new src/file7.txt
    run git rm -q doc/README
    run git commit -q -a -m "second commit"
    run git log --oneline >log.txt
    wc -l <log.txt
    cat log.txt
    run git cat-file -p "HEAD^{tree}"
    run git diff --stat HEAD~1 HEAD
    run git fsck --no-progress
}
check git git_workload git

# ---- make: variables, $(shell ...), pattern rules -----------------------
make_workload() {
    i=0
    while [ "$i" -lt 40 ]; do
        printf 'part %d\n' "$i" >"part$i.in"
        i=$((i + 1))
    done
    cat >Makefile <<'EOF'
INPUTS := $(sort $(wildcard part*.in))
OUTPUTS := $(INPUTS:.in=.out)
COUNT := $(shell ls part*.in | wc -l)
GREETING = made $(words $(OUTPUTS)) outputs from $(COUNT) inputs

all: total.txt
	@echo '$(GREETING)'
	@cat total.txt | wc -l
	@tail -n 1 total.txt

%.out: %.in
	@sed 's/part/PART/' $< >$@

total.txt: $(OUTPUTS)
	@cat $^ >$@
	@echo "$(firstword $^) .. $(lastword $^)" >>$@

.PHONY: all
EOF
    run make -s --no-print-directory
    run make -s --no-print-directory
}
check make make_workload make

# ---- examples/clean_cxx: every form of operator new and delete ----------
clean_cxx_workload() {
    run "$clean_cxx"
}
clean_cxx=$top_builddir/examples/clean_cxx
case $clean_cxx in /*) ;; *) clean_cxx=$PWD/$clean_cxx ;; esac
if [ -x "$clean_cxx" ]; then
    check clean_cxx clean_cxx_workload
else
    echo "SKIP: clean_cxx (examples/clean_cxx not built)"
    skipped=$((skipped + 1))
fi

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -gt 0 ] && exit 1
[ "$passed" -eq 0 ] && exit 77
exit 0
