/* SPDX-License-Identifier: MIT */
/*
 * guard_overread.c -- a loop that reads one element past the end of an
 * array: a plain load, which deadbyte's pads cannot see (nothing is
 * written).  Under --guard-pages=all the block's data ends against a
 * PROT_NONE page, and the load faults on it, at the line that makes it:
 *
 *   deadbyte: buffer overflow: a read at p+40 of the 40-byte block
 *   allocated with malloc (call #N), 0 bytes past its end
 *   Fatal error: guard page: read past the end of a block
 */
#include <stdio.h>
#include <stdlib.h>

/* Not inlined, so that the loop reads memory rather than constants. */
__attribute__((noipa)) static int
sum(const int *values, int n)
{
    int total = 0;
    for (int i = 0; i <= n; i++) /* <= : one too many */
        total += values[i];
    return total;
}

int
main(void)
{
    int n = 10;
    int *values = malloc(n * sizeof *values);
    if (!values)
        return 1;
    for (int i = 0; i < n; i++)
        values[i] = i;
    printf("%d\n", sum(values, n));
    free(values);
    return 0;
}
