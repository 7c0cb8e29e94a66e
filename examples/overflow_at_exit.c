/* SPDX-License-Identifier: MIT */
/*
 * overflow_at_exit.c -- an overflow of a block that is never freed:
 * nothing releases it, so no free() could catch it.  deadbyte checks
 * every live block at exit:
 *
 *   deadbyte: buffer overflow: something wrote past the end of the 8-byte
 *   block, at p+8
 *   Fatal error: deadbyte_check_heap: bad trailing pad byte
 */
#include <stdio.h>
#include <stdlib.h>

/* Not static, and read below: the compiler may not drop the malloc. */
char *table;

static void
fill(char *dst, size_t n)
{
    for (size_t i = 0; i < n; i++) /* a loop: no call to check */
        ((volatile char *)dst)[i] = 'x';
}

int
main(void)
{
    table = malloc(8);
    if (!table)
        return 1;
    volatile size_t n = 9;
    fill(table, n); /* BUG: one byte too many, and table lives forever */
    printf("filled: %c\n", table[0]);
    return 0;
}
