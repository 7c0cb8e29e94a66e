#!/bin/sh
# real_programs_clean_cxx.sh -- examples/clean_cxx runs under deadbyte as
# it runs alone; see tests/real_programs.inc.
. "${top_srcdir:-.}/tests/real_programs.inc"

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
finish
