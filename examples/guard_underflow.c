/* SPDX-License-Identifier: MIT */
/*
 * guard_underflow.c -- a backwards loop that reads one element before
 * the start of an array.  Under --guard-pages=all,underflow the block's
 * data starts right after a PROT_NONE page, and the read faults on it:
 *
 *   deadbyte: buffer underflow: a read at p-4 of the 40-byte block
 *   allocated with malloc (call #N), 4 bytes before its start
 *   Fatal error: guard page: read before the start of a block
 */
#include <stdio.h>
#include <stdlib.h>

/* Not inlined, so that the loop reads memory rather than constants. */
__attribute__((noipa)) static int
last_nonzero(const int *values, int n)
{
    int i = n - 1;
    while (values[i] == 0) /* no bound on i: runs off the front */
        i--;
    return i;
}

int
main(void)
{
    int n = 10;
    int *values = calloc(n, sizeof *values);
    if (!values)
        return 1;
    printf("%d\n", last_nonzero(values, n));
    free(values);
    return 0;
}
