/* SPDX-License-Identifier: MIT */
/*
 * many_stacks.c -- N allocations, each from a stack of its own or all
 * from one, for tests/scale.sh to run under the launcher and compare.
 *
 *   many_stacks distinct|same N
 *
 * Every allocation comes out of a recursion ten calls deep through four
 * functions; with "distinct", allocation i takes the path spelled by i
 * in base 4 (up to 4^10 = 2^20 stacks, all within the 16 frames kept),
 * with "same" always the first path: the stacks are just as deep, so the
 * two runs differ only in how many distinct stacks deadbyte interns.
 * Prints the milliseconds the N allocations took.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEVELS 10

static volatile unsigned visits[4];
static void *walk0(unsigned code, int depth);
static void *walk1(unsigned code, int depth);
static void *walk2(unsigned code, int depth);
static void *walk3(unsigned code, int depth);

/* The bodies differ (a count of their own), so no compiler folds them
 * into one; the asm after each call keeps the calls from becoming
 * jumps, which would drop the frames. */
#define WALK(k)                                                                \
    static __attribute__((noinline)) void *walk##k(unsigned code, int depth)  \
    {                                                                          \
        visits[k]++;                                                           \
        void *p;                                                               \
        if (depth == 0)                                                        \
            p = malloc(16);                                                    \
        else if ((code & 3) == 0)                                              \
            p = walk0(code >> 2, depth - 1);                                   \
        else if ((code & 3) == 1)                                              \
            p = walk1(code >> 2, depth - 1);                                   \
        else if ((code & 3) == 2)                                              \
            p = walk2(code >> 2, depth - 1);                                   \
        else                                                                   \
            p = walk3(code >> 2, depth - 1);                                   \
        __asm__ volatile("" : : "r"(p) : "memory");                            \
        return p;                                                              \
    }
WALK(0)
WALK(1)
WALK(2)
WALK(3)

int
main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "distinct") != 0 &&
                      strcmp(argv[1], "same") != 0)) {
        fprintf(stderr, "usage: many_stacks distinct|same N\n");
        return 2;
    }
    int distinct = strcmp(argv[1], "distinct") == 0;
    unsigned long n = strtoul(argv[2], NULL, 10);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (unsigned long i = 0; i < n; i++) {
        void *p = walk0(distinct ? (unsigned)i : 0, LEVELS);
        if (!p)
            return 1;
        free(p);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("%ld\n", (long)((end.tv_sec - start.tv_sec) * 1000 +
                           (end.tv_nsec - start.tv_nsec) / 1000000));
    return 0;
}
