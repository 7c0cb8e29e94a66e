#!/bin/sh
# real_programs_git.sh -- git runs under deadbyte as it runs alone;
# see tests/real_programs.inc.
. "${top_srcdir:-.}/tests/real_programs.inc"

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
finish
