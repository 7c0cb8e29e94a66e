# fork_exec.sh -- a build script's fork/exec load for bench/run.sh: bash
# running N loop iterations, each of which executes TRUE, runs
# basename in a command substitution and sed at the end of a pipe in
# another, as a user's build script would.  Under the launcher every
# one of those programs is debugged too (--follow-children).
#
# Usage: bash fork_exec.sh N [TRUE]   (TRUE: default /bin/true)
#
# Standard output: lines that depend only on N.
# shellcheck shell=bash
n=${1:?usage: bash fork_exec.sh N [TRUE]}
true_prog=${2:-/bin/true}
i=0 total=0 objs=
while [ "$i" -lt "$n" ]; do
    "$true_prog"
    src=src/dir$((i % 7))/file$i.c
    base=$(basename "$src" .c)
    # shellcheck disable=SC2001 # the pipe and the sed are the point
    obj=$(echo "$base" | sed 's/$/.o/')
    total=$((total + ${#obj}))
    [ $((i % 50)) -eq 0 ] && objs="$objs $obj"
    i=$((i + 1))
done
echo "fork_exec n=$n total=$total"
echo "objects:$objs"
