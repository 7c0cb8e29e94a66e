#!/bin/sh
# real_programs_gcc.sh -- gcc runs under deadbyte as it runs alone;
# see tests/real_programs.inc.
. "${top_srcdir:-.}/tests/real_programs.inc"

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
finish
