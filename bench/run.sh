#!/bin/sh
# run.sh -- deadbyte's benchmark: how much slower and bigger programs get
# under the launcher.  See bench/README.md.
#
# Each workload runs plain and under "deadbyte VARIANT-OPTIONS --", in
# every one of ROUNDS rounds, interleaved (plain first in odd rounds,
# last in even ones).  Per workload and variant it prints the median
# plain wall time, the deadbyte/plain ratios of the median wall time and
# of the median peak RSS, and allocation calls per second plain and under
# deadbyte.  The allocation calls are counted once per workload, in a
# plain untimed run, by the LD_PRELOAD shim count_allocs.so.  Every run's
# standard output (and the object file of the gcc workload) must be the
# first plain run's: else the row says OUTPUT DIFFERS and the script
# exits 1.  Last, the thread scaling of the churn program: 2-thread ops/s
# divided by 1-thread ops/s, the same work per thread (target >= 1.7),
# and what deadbyte adds to the start and exit of a process: the
# startup workload's time under deadbyte less its plain time, divided by
# the number of processes it starts (target: at most 1 ms).
#
# Environment:
#   ROUNDS=N           rounds (default 5; 1 with QUICK=1)
#   QUICK=1            smoke run: 1 round, small sizes
#   VARIANTS='a;b'     deadbyte option sets, ';'-separated; "default" is
#                      no option (default: 'default;--frames 0').  A set
#                      with an option the launcher does not list in
#                      --list-options is skipped, with a note.
#   WORKLOADS='x y'    run only these (names as in the table)
#   BENCH_MARKDOWN=F   also write the results as markdown to file F
#   DEADBYTE=PATH      the launcher (default $top_builddir/tool/deadbyte)
#   BENCH_TIMEOUT=S    kill a run after S seconds (default 600)
#   BENCH_TIME=PATH    GNU time (default /usr/bin/time; "none": without)
#   CC, CXX            compilers for the workload programs (cc, c++)
#   top_srcdir, top_builddir  as set by "make bench"; default: the
#                      directory above this script.  From make, the
#                      workload programs are built in $top_builddir/bench/bin,
#                      else in a temporary directory.
#
# Exit status: 0; 1 if a run failed or its output differed; 2 on a setup
# error (no launcher, no compiler).
#
# The workload commands are strings that eval expands at run time (the
# N_ sizes, the paths), and eval also sets the variables it reads back:
# shellcheck disable=SC2016,SC2034,SC2154
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 2
if [ -n "${top_builddir:-}" ]; then
    from_make=1
else
    from_make=0
fi
: "${top_srcdir:=$here/..}" "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd) || exit 2
top_builddir=$(cd "$top_builddir" && pwd) || exit 2
bench_src=$top_srcdir/bench
: "${DEADBYTE:=$top_builddir/tool/deadbyte}"
: "${QUICK:=}"
[ "$QUICK" = 0 ] && QUICK=
if [ -n "$QUICK" ]; then : "${ROUNDS:=1}"; else : "${ROUNDS:=5}"; fi
: "${VARIANTS:=default;--frames 0}"
: "${WORKLOADS:=}"
: "${BENCH_MARKDOWN:=}"
: "${BENCH_TIMEOUT:=600}"
: "${BENCH_TIME:=/usr/bin/time}"
: "${CC:=cc}" "${CXX:=c++}"

die() { echo "run.sh: $*" >&2; exit 2; }
note() { echo "$*" >&2; }

case $ROUNDS in ''|*[!0-9]*|0) die "ROUNDS=$ROUNDS: not a positive number" ;; esac
[ -x "$DEADBYTE" ] || die "$DEADBYTE: no launcher (build it first: make)"
DEADBYTE=$(cd "$(dirname "$DEADBYTE")" && pwd)/$(basename "$DEADBYTE")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/deadbyte-bench.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# The same environment for every run, and nothing of make's.
unset MAKEFLAGS MFLAGS MAKELEVEL
LC_ALL=C
PYTHONMALLOC=malloc     # python's objects through malloc, not pymalloc
PYTHONHASHSEED=0
PYTHONDONTWRITEBYTECODE=1
export LC_ALL PYTHONMALLOC PYTHONHASHSEED PYTHONDONTWRITEBYTECODE
# shellcheck disable=SC3045 # dash and bash have ulimit -c
ulimit -c 0 2>/dev/null || :

# ---- Sizes: each workload ~0.5-2 s plain on a 2-core machine ----------
if [ -n "$QUICK" ]; then
    N_PY=3000 N_SQL=3000 N_GCC=5 N_CONT=20000 N_CHURN=200000 N_PC=100000
    N_SMALL=500000 N_REALLOC=10 N_LARSON=30000 N_FORK=10 N_START=20
else
    N_PY=50000 N_SQL=50000 N_GCC=60 N_CONT=300000 N_CHURN=8000000 N_PC=2500000
    N_SMALL=20000000 N_REALLOC=250 N_LARSON=1000000 N_FORK=200 N_START=500
fi

# ---- Clocks -----------------------------------------------------------
# Wall time from date +%s%N (ns) if it has it, else /usr/bin/time's %e
# (10 ms steps), else bash's time.  Peak RSS only from /usr/bin/time.
TIME=
[ -x "$BENCH_TIME" ] && "$BENCH_TIME" -f '%e %M' -o /dev/null true 2>/dev/null &&
    TIME=$BENCH_TIME
case $(date +%s%N 2>/dev/null) in
    *[!0-9]*|'') NS_DATE= ;;
    *) NS_DATE=1 ;;
esac
BASH_TIME=
if [ -z "$TIME" ] && [ -z "$NS_DATE" ]; then
    command -v bash >/dev/null 2>&1 || die "no /usr/bin/time, no date +%N, no bash: no clock"
    BASH_TIME=1
fi
TIMEOUT=
command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout $BENCH_TIMEOUT"

# ---- Programs ---------------------------------------------------------
if [ "$from_make" = 1 ]; then
    bin=$top_builddir/bench/bin
else
    bin=$tmp/bin
fi
mkdir -p "$bin" || exit 2
gen=$tmp/gen
mkdir -p "$gen" || exit 2

note "building the workload programs in $bin"
$CC -O2 -pthread -o "$bin/churn" "$bench_src/churn.c" ||
    die "cannot compile churn.c with $CC"
for prog in small_blocks realloc_growth larson spawn; do
    $CC -O2 -pthread -o "$bin/$prog" "$bench_src/$prog.c" ||
        die "cannot compile $prog.c with $CC"
done
$CC -O2 -fPIC -shared -fexceptions -o "$bin/count_allocs.so" \
    "$bench_src/count_allocs.c" -ldl ||
    die "cannot compile count_allocs.c with $CC"
HAVE_CXX=
if $CXX -O2 -o "$bin/containers" "$bench_src/containers.cc"; then
    HAVE_CXX=1
else
    note "cannot compile containers.cc with $CXX: containers skipped"
fi

# python: the interpreter itself, not a wrapper script (pyenv's shims run
# a shell and more programs, which would be timed and debugged too).
PYTHON=
if command -v python3 >/dev/null 2>&1; then
    PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
    [ -x "$PYTHON" ] || PYTHON=
fi
SQLITE3=$(command -v sqlite3 2>/dev/null) || SQLITE3=
GCC=$(command -v gcc 2>/dev/null) || GCC=
BASH_PROG=$(command -v bash 2>/dev/null) || BASH_PROG=
# The program that startup and bash-fork-exec start again and again.
TRUE=
for f in /bin/true /usr/bin/true; do
    [ -x "$f" ] && { TRUE=$f; break; }
done

# ---- Inputs -----------------------------------------------------------
# A SQL script: two tables filled by N_SQL explicit INSERTs each (sqlite
# parses every one), indexes, joins, group by, update, delete.
awk -v n="$N_SQL" 'BEGIN {
    x = 12345
    print "PRAGMA journal_mode=OFF;"
    print "CREATE TABLE person(id INTEGER PRIMARY KEY, name TEXT, city TEXT, age INT, score REAL);"
    print "CREATE TABLE visit(pid INT, day INT, what TEXT);"
    print "BEGIN;"
    for (i = 1; i <= n; i++) {
        x = (x * 1103515245 + 12345) % 2147483648
        printf "INSERT INTO person VALUES(%d,%cname%d%c,%ccity%d%c,%d,%d.%d);\n", \
            i, 39, x % 100000, 39, 39, x % 50, 39, 18 + x % 60, x % 1000, x % 10
        printf "INSERT INTO visit VALUES(%d,%d,%c%s%c);\n", (x % n) + 1, x % 365, \
            39, substr("abcdefghijklmnopqrstuvwxyz", 1 + x % 20, 6), 39
    }
    print "COMMIT;"
    print "CREATE INDEX person_city ON person(city, age);"
    print "CREATE INDEX visit_pid ON visit(pid);"
    print "SELECT city, count(*), avg(age), max(score) FROM person GROUP BY city ORDER BY city;"
    print "SELECT p.city, count(v.day), group_concat(DISTINCT v.what) FROM person p JOIN visit v ON v.pid = p.id GROUP BY p.city ORDER BY 2 DESC, 1 LIMIT 10;"
    print "UPDATE person SET score = score * 1.5 WHERE age > 40;"
    print "DELETE FROM visit WHERE day % 3 = 0;"
    print "SELECT name, score FROM person ORDER BY score DESC, id LIMIT 5;"
    print "SELECT count(*), sum(length(what)) FROM visit;"
    print "SELECT what, count(*) FROM visit GROUP BY what ORDER BY 2 DESC, 1 LIMIT 5;"
}' >"$gen/bench.sql" || exit 2

# A C file: N_GCC functions with tables, loops, switches and calls, for
# gcc -O2 (cc1 and as run under the launcher too: --follow-children).
awk -v n="$N_GCC" 'BEGIN {
    print "#include <stddef.h>"
    print "struct item { int key; double weight; const char *name; struct item *next; };"
    for (i = 0; i < n; i++) {
        m = 8 + i % 8
        printf "static int table%d[%d] = {", i, m
        for (k = 0; k < m; k++) printf "%d,", (i * 31 + k * 17) % 101
        print "};"
        printf "int f%d(struct item *it, int n)\n{\n    int acc = 0;\n", i
        print "    for (int j = 0; j < n && it; j++, it = it->next) {"
        printf "        switch ((it->key + j) %% %d) {\n", 3 + i % 5
        for (c = 0; c < 3 + i % 5; c++)
            printf "        case %d: acc += table%d[(j + %d) %% %d] * it->key; break;\n", c, i, c, m
        print "        default: acc ^= j;\n        }"
        printf "        if (it->weight > %d.5) acc -= (int)(it->weight * %d);\n", i % 13, i % 7 + 1
        print "        for (const char *s = it->name; s && *s; s++) acc = acc * 33 + *s;\n    }"
        if (i > 0) printf "    if (acc & 1) acc += f%d(it, n / 2);\n", i - 1
        print "    return acc;\n}"
    }
}' >"$gen/gen.c" || exit 2

# ---- Workloads --------------------------------------------------------
# wl_cmd_NAME: the command, as words for eval (expanded at run time);
# wl_in_NAME: its standard input; wl_file_NAME: a file it writes, in its
# working directory, that is compared too.
# The commands are in single quotes on purpose: eval expands them.
ALL=
vn() { echo "$1" | tr -c 'a-zA-Z0-9\n' _; }   # a name as a variable name
add() { # add NAME COMMAND [STDIN [OUTFILE]]
    k=$(vn "$1")
    eval "wl_cmd_$k=\$2 wl_in_$k=\${3:-/dev/null} wl_file_$k=\${4:-}"
    ALL="$ALL $1"
}
skipped_wl=
skip() { skipped_wl="$skipped_wl$1: $2
"; note "skipping $1: $2"; }

if [ -n "$PYTHON" ]; then
    add python '"$PYTHON" "$bench_src/workload.py" $N_PY'
else
    skip python "no python3"
fi
if [ -n "$SQLITE3" ]; then
    add sqlite3 '"$SQLITE3" :memory:' "$gen/bench.sql"
else
    skip sqlite3 "no sqlite3"
fi
if [ -n "$GCC" ]; then
    add gcc '"$GCC" -O2 -c "$gen/gen.c" -o gen.o' /dev/null gen.o
else
    skip gcc "no gcc"
fi
if [ -n "$HAVE_CXX" ]; then
    add containers '"$bin/containers" $N_CONT'
else
    skip containers "no C++ compiler"
fi
add churn-1t '"$bin/churn" 1 $N_CHURN'
add churn-2t '"$bin/churn" 2 $N_CHURN'
add churn-pc-2t '"$bin/churn" -p 2 $N_PC'
add small-blocks '"$bin/small_blocks" $N_SMALL'
add realloc-growth '"$bin/realloc_growth" $N_REALLOC'
add larson-2t '"$bin/larson" 2 $N_LARSON'
if [ -z "$TRUE" ]; then
    skip bash-fork-exec "no /bin/true"
elif [ -n "$BASH_PROG" ]; then
    add bash-fork-exec '"$BASH_PROG" "$bench_src/fork_exec.sh" $N_FORK "$TRUE"'
else
    skip bash-fork-exec "no bash"
fi
if [ -n "$TRUE" ]; then
    add startup '"$bin/spawn" $N_START "$TRUE"'
else
    skip startup "no /bin/true"
fi

if [ -n "$WORKLOADS" ]; then
    sel=
    for w in $WORKLOADS; do
        case " $ALL " in
            *" $w "*) sel="$sel $w" ;;
            *) die "WORKLOADS: unknown or skipped workload '$w' (have:$ALL)" ;;
        esac
    done
    ALL=$sel
fi

# ---- Variants ---------------------------------------------------------
"$DEADBYTE" --list-options >"$tmp/options" 2>/dev/null ||
    die "$DEADBYTE --list-options failed"
nv=0 VLIST='' skipped_v=''
old_ifs=$IFS
IFS=';'
for v in $VARIANTS; do
    IFS=$old_ifs
    # Trim blanks.
    v=$(echo "$v" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
    [ -n "$v" ] || continue
    [ "$v" = default ] && opts= || opts=$v
    missing=
    for word in $opts; do
        case $word in
            --*) name=${word%%=*}
                 awk -F'\t' -v n="$name" '$1 == n { f = 1 } END { exit !f }' \
                     "$tmp/options" || missing="$missing $name" ;;
        esac
    done
    if [ -n "$missing" ]; then
        skipped_v="$skipped_v$v;"
        note "skipping variant '$v': the launcher has no$missing (option not available yet)"
        continue
    fi
    nv=$((nv + 1))
    eval "v_label_$nv=\$v v_opts_$nv=\$opts"
    VLIST="$VLIST $nv"
done
IFS=$old_ifs

# ---- Measuring --------------------------------------------------------
now() { date +%s%N; }

# measure DIR STDIN CMD...: run CMD in DIR (made empty), stdout to
# DIR.out; sets m_time (s), m_rss (KB, or "-") and m_status.
measure() {
    dir=$1 inp=$2
    shift 2
    rm -rf "$dir" && mkdir "$dir" || exit 2
    if [ -n "$BASH_TIME" ]; then
        (cd "$dir" && TIMEFORMAT=%3R bash -c \
            '{ time "$@" <"$0" >../out 2>../err; } 2>../time; exit $?' \
            "$inp" "$@")
        m_status=$?
        m_time=$(tail -n 1 "$dir/../time")
        m_rss=-
        return
    fi
    [ -n "$NS_DATE" ] && t0=$(now)
    if [ -n "$TIME" ]; then
        (cd "$dir" && exec "$TIME" -f '%e %M' -o ../time "$@" \
            <"$inp" >../out 2>../err)
    else
        (cd "$dir" && exec "$@" <"$inp" >../out 2>../err)
    fi
    m_status=$?
    [ -n "$NS_DATE" ] && t1=$(now)
    if [ -n "$TIME" ]; then
        # A last line "E M"; a line before it if the status was not 0.
        # shellcheck disable=SC2046 # two words
        set -- $(tail -n 1 "$dir/../time")
        m_time=${1:-0} m_rss=${2:--}
    else
        m_time=0 m_rss=-
    fi
    if [ -n "$NS_DATE" ]; then
        m_time=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
    fi
}

# The result of a run: its standard output, and the checksum of the file
# it writes, if any.
result() { # result NAME -> $tmp/result
    eval "f=\$wl_file_$(vn "$1")"
    cp "$tmp/out" "$tmp/result"
    if [ -n "$f" ]; then
        if [ -f "$tmp/run/$f" ]; then
            echo "$f: $(cksum <"$tmp/run/$f")" >>"$tmp/result"
        else
            echo "$f: missing" >>"$tmp/result"
        fi
    fi
}

# run NAME KEY [LAUNCHER-WORDS...]: one timed run; records
# "NAME KEY TIME RSS" in results and any failure in problems.
run() {
    name=$1 key=$2
    shift 2
    if [ "$key" = plain ]; then
        label=plain
    else
        eval "label=\"deadbyte \$v_label_${key#v}\""
    fi
    k=$(vn "$name")
    eval "cmdwords=\$wl_cmd_$k stdin=\$wl_in_$k"
    eval "set -- \"\$@\" $cmdwords"
    # shellcheck disable=SC2086 # TIMEOUT is words
    measure "$tmp/run" "$stdin" $TIMEOUT "$@"
    result "$name"
    if [ "$m_status" -ne 0 ]; then
        echo "$name $key FAILED (exit $m_status)" >>"$tmp/problems"
        echo "$name [$label]: FAILED (exit $m_status)" >>"$tmp/problems.txt"
        note "  $name [$label] exited $m_status; stderr:"
        sed 's/^/    /' "$tmp/err" | head -20 >&2
    fi
    if [ ! -f "$tmp/ref.$name" ]; then
        cp "$tmp/result" "$tmp/ref.$name"
    elif ! cmp -s "$tmp/result" "$tmp/ref.$name"; then
        echo "$name $key OUTPUT DIFFERS" >>"$tmp/problems"
        echo "$name [$label]: OUTPUT DIFFERS from the first plain run" >>"$tmp/problems.txt"
        note "  $name [$label]: output differs from the first plain run:"
        diff "$tmp/ref.$name" "$tmp/result" | head -10 >&2
    fi
    echo "$name $key $m_time $m_rss" >>"$tmp/results"
}

: >"$tmp/results"
: >"$tmp/problems"
: >"$tmp/problems.txt"
start=$(date +%s)
loadavg() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?'; }
load0=$(loadavg)

# Allocation calls: one plain, untimed run per workload under the shim.
note "counting allocation calls (plain, count_allocs.so)"
for w in $ALL; do
    rm -f "$tmp/count"
    k=$(vn "$w")
    eval "cmdwords=\$wl_cmd_$k stdin=\$wl_in_$k"
    eval "set -- $cmdwords"
    rm -rf "$tmp/run" && mkdir "$tmp/run"
    (cd "$tmp/run" &&
        COUNT_ALLOCS_FILE=$tmp/count \
        LD_PRELOAD="$bin/count_allocs.so${LD_PRELOAD:+ $LD_PRELOAD}" \
        exec "$@" <"$stdin" >/dev/null 2>&1)
    # One line per process "PID ALLOCS FREES": the sum.
    c=$(awk '{ s += $2 } END { printf "%d", s }' "$tmp/count" 2>/dev/null)
    eval "calls_$k=\${c:-0}"
done

r=1
while [ "$r" -le "$ROUNDS" ]; do
    note "round $r/$ROUNDS ($(($(date +%s) - start)) s so far)"
    for w in $ALL; do
        # Plain first in odd rounds, last in even ones: a drift of the
        # machine's speed does not favour either side.
        order=plain
        for i in $VLIST; do
            if [ $((r % 2)) -eq 1 ]; then order="$order $i"; else order="$i $order"; fi
        done
        progress=
        for k in $order; do
            if [ "$k" = plain ]; then
                run "$w" plain
                progress="$progress  plain ${m_time}s"
            else
                eval "opts=\$v_opts_$k label=\$v_label_$k"
                # shellcheck disable=SC2086 # the options are words
                run "$w" "v$k" "$DEADBYTE" $opts --
                progress="$progress  [$label] ${m_time}s"
            fi
        done
        note "  $w:$progress"
    done
    r=$((r + 1))
done
elapsed=$(($(date +%s) - start))
load1=$(loadavg)

# ---- Report -----------------------------------------------------------
median() { # median NAME KEY FIELD(3 time, 4 rss) -> number or "-"
    awk -v n="$1" -v k="$2" -v f="$3" '$1 == n && $2 == k && $f != "-" { print $f }' \
        "$tmp/results" | sort -g | awk '{ v[NR] = $1 }
        END { if (!NR) print "-"
              else if (NR % 2) print v[(NR + 1) / 2]
              else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
    if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
per_s() { awk -v c="$1" -v t="$2" 'BEGIN {
    if (t == "-" || t + 0 == 0 || c + 0 == 0) { print "-"; exit }
    r = c / t
    if (r >= 1e6) printf "%.1fM", r / 1e6
    else if (r >= 1e3) printf "%.0fk", r / 1e3
    else printf "%.0f", r }'; }

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null || ldd --version 2>/dev/null | head -n 1)
machine="$(nproc 2>/dev/null || echo '?') CPUs, ${cpu:-unknown CPU}, ${glibc:-unknown libc}, $(date +%Y-%m-%d)"
version=$("$DEADBYTE" --version 2>/dev/null | head -n 1)
clock="wall time from date +%s%N"
[ -z "$NS_DATE" ] && clock="wall time from $BENCH_TIME %e"
[ -n "$BASH_TIME" ] && clock="wall time from bash's time"
rss_note="peak RSS from $BENCH_TIME %M"
[ -z "$TIME" ] && rss_note="no GNU time ($BENCH_TIME): peak RSS not measured"

# rows: tab-separated, then printed as text and as markdown.
: >"$tmp/rows"
for w in $ALL; do
    eval "calls=\$calls_$(vn "$w")"
    pt=$(median "$w" plain 3)
    pr=$(median "$w" plain 4)
    if grep -q "^$w plain " "$tmp/problems"; then
        pnote=$(grep "^$w plain " "$tmp/problems" | sed "s/^$w plain //" | sort -u | head -n 1)
    else
        pnote=
    fi
    for i in $VLIST; do
        eval "label=\$v_label_$i"
        dt=$(median "$w" "v$i" 3)
        dr=$(median "$w" "v$i" 4)
        vnote=$(grep "^$w v$i " "$tmp/problems" | sed "s/^$w v$i //" | sort -u | head -n 1)
        [ -n "$vnote" ] || vnote=$pnote
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$label" \
            "$(awk -v t="$pt" 'BEGIN { if (t == "-") print t; else printf "%.2f", t }')" \
            "$(ratio "$dt" "$pt")" "$(ratio "$dr" "$pr")" \
            "$(per_s "$calls" "$pt")" "$(per_s "$calls" "$dt")" "$vnote" >>"$tmp/rows"
    done
    old_ifs=$IFS
    IFS=';'
    for v in $skipped_v; do
        IFS=$old_ifs
        [ -n "$v" ] || continue
        printf '%s\t%s\tn/a\tn/a\tn/a\tn/a\tn/a\t%s\n' "$w" "$v" \
            "n/a (option not available yet)" >>"$tmp/rows"
    done
    IFS=$old_ifs
done

# For a summary line: "; deadbyte V n/a (...)" for each skipped variant V.
skipped_variants() {
    old_ifs=$IFS
    IFS=';'
    for v in $skipped_v; do
        [ -n "$v" ] && printf '; deadbyte %s n/a (option not available yet)' "$v"
    done
    IFS=$old_ifs
}

# Thread scaling: 2 threads doing N_CHURN ops each against 1 thread doing
# N_CHURN: (2 N / t2) / (N / t1) = 2 t1 / t2.
scaling=
case " $ALL " in *" churn-1t "*) has1=1 ;; *) has1= ;; esac
case " $ALL " in *" churn-2t "*) has2=1 ;; *) has2= ;; esac
twice() { awk -v t="$1" 'BEGIN { if (t == "-") print t; else print 2 * t }'; }
if [ -n "$has1" ] && [ -n "$has2" ]; then
    s=$(ratio "$(twice "$(median churn-1t plain 3)")" "$(median churn-2t plain 3)")
    scaling="plain $s"
    for i in $VLIST; do
        eval "label=\$v_label_$i"
        s=$(ratio "$(twice "$(median churn-1t "v$i" 3)")" "$(median churn-2t "v$i" 3)")
        verdict=$(awk -v s="$s" 'BEGIN { if (s == "-") print "?"; else print (s >= 1.7) ? "ok" : "BELOW TARGET" }')
        scaling="$scaling; deadbyte $label $s ($verdict)"
    done
    scaling="$scaling$(skipped_variants)"
fi

# Start-up and exit: the startup workload starts N_START processes, so
# (deadbyte time - plain time) / N_START is what deadbyte adds to each
# (and the launcher's own start, once, shared out).
startup=
ms_each() { # ms_each TIME [PLAIN-TIME]: (TIME - PLAIN-TIME) / N_START in ms
    awk -v t="$1" -v p="${2:-0}" -v n="$N_START" 'BEGIN {
        if (t == "-" || p == "-") print "-"; else printf "%.2f", (t - p) * 1000 / n }'; }
case " $ALL " in *" startup "*)
    pt=$(median startup plain 3)
    startup="plain $(ms_each "$pt") ms a process"
    for i in $VLIST; do
        eval "label=\$v_label_$i"
        e=$(ms_each "$(median startup "v$i" 3)" "$pt")
        verdict=$(awk -v e="$e" 'BEGIN { if (e == "-") print "?"; else print (e <= 1) ? "ok" : "ABOVE TARGET" }')
        startup="$startup; deadbyte $label +$e ms ($verdict)"
    done
    startup="$startup$(skipped_variants)"
esac

header="workload	variant	plain s	time ratio	RSS ratio	calls/s plain	calls/s deadbyte	note"
{
    echo "deadbyte benchmark: $version; $machine"
    echo "$ROUNDS round(s)${QUICK:+ (QUICK)}, medians; ratios are deadbyte/plain; $clock; $rss_note; $elapsed s; load average $load0 at start, $load1 at end"
    echo
    { echo "$header"; cat "$tmp/rows"; } |
        awk -F'\t' '{ for (i = 1; i <= NF; i++) { c[NR, i] = $i
                          if (length($i) > w[i]) w[i] = length($i) }
                      if (NF > nf) nf = NF }
            END { for (r = 1; r <= NR; r++) { line = ""
                      for (i = 1; i <= nf; i++)
                          line = line sprintf(i < nf ? "%-" w[i] "s  " : "%s", c[r, i])
                      sub(/ +$/, "", line); print line } }'
    echo
    [ -n "$scaling" ] &&
        echo "thread scaling (churn, 2-thread ops/s / 1-thread ops/s, target >= 1.7): $scaling"
    [ -n "$startup" ] &&
        echo "start-up and exit (startup: $N_START runs of $TRUE; deadbyte's extra cost a process, target <= 1 ms): $startup"
    [ -n "$skipped_wl" ] && printf 'skipped: %s' "$skipped_wl"
    :
} | tee "$tmp/report"

if [ -n "$BENCH_MARKDOWN" ]; then
    {
        echo "Measured on: $machine; $version."
        echo "$ROUNDS round(s)${QUICK:+ (QUICK)}, medians; ratios are deadbyte/plain; $clock; $rss_note; load average $load0 at start, $load1 at end."
        echo
        echo "| $(echo "$header" | sed 's/	/ | /g') |"
        echo "|$(echo "$header" | sed 's/[^	]*/---/g; s/	/|/g')|"
        sed 's/	/ | /g; s/^/| /; s/$/ |/; s/|  |$/| |/' "$tmp/rows"
        echo
        [ -n "$scaling" ] &&
            echo "Thread scaling (churn, 2-thread ops/s ÷ 1-thread ops/s, target ≥ 1.7): $scaling."
        [ -n "$startup" ] &&
            echo "Start-up and exit (startup: $N_START runs of \`$TRUE\`; deadbyte's extra cost a process, target ≤ 1 ms): $startup."
        [ -n "$skipped_wl" ] && printf '\nSkipped: %s' "$skipped_wl"
        :
    } >"$BENCH_MARKDOWN" || die "cannot write $BENCH_MARKDOWN"
fi

if [ -s "$tmp/problems" ]; then
    echo
    echo "PROBLEMS:"
    sort -u "$tmp/problems.txt"
    exit 1
fi
exit 0
