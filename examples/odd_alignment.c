/* SPDX-License-Identifier: MIT */
/*
 * odd_alignment.c -- aligned_alloc with alignments that are not powers
 * of two, and sizes that are not multiples of the alignment.  What the C
 * library does with them depends on its version (glibc up to 2.37 rounds
 * the alignment up to a power of two, as memalign does; 2.38 returns
 * EINVAL): under deadbyte the program must get exactly what it gets
 * without it.  tests/alignment.sh compares the two runs' output.
 *
 * A correct program on glibc 2.36: it exits 0.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* From variables, so that the compiler cannot see (and warn about) them. */
static volatile size_t cases[][2] = {
    {24, 48},   {48, 96},  {24, 50}, {3, 1},  {0, 16},
    {100, 300}, {64, 100}, {8, 3},   {1, 0},  {SIZE_MAX / 2 + 2, 1},
};

int
main(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t align = cases[i][0], size = cases[i][1];
        errno = 0;
        unsigned char *p = aligned_alloc(align, size);
        int err = errno;
        printf("aligned_alloc(%zu, %zu): ", align, size);
        if (!p) {
            printf("NULL, %s\n", err == EINVAL   ? "EINVAL"
                                 : err == ENOMEM ? "ENOMEM"
                                                 : "errno not set");
            continue;
        }
        size_t power = 1; /* the alignment the C library would round to */
        while (power < align)
            power <<= 1;
        printf("a block %s on %zu\n",
               (uintptr_t)p % power == 0 ? "aligned" : "NOT aligned", power);
        memset(p, 0x5a, size);
        free(p);
    }
    return 0;
}
