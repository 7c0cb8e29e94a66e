/* SPDX-License-Identifier: MIT */
/*
 * overflow__Exit.c -- a program that ends with _Exit(0), C's name for
 * _exit, after overflowing a block it never frees.  _Exit runs no
 * destructor, but deadbyte checks the heap before it, with the leak
 * report: the overflow is reported and the exit status is 134.  The
 * output still in stdout's buffer is dropped, as _Exit always drops it.
 *
 *   deadbyte: buffer overflow: something wrote past the end of the
 *   8-byte block, at p+8
 *   Fatal error: deadbyte_check_heap: bad trailing pad byte
 */
#include <stdlib.h>

/* Not static: the compiler may not drop the malloc. */
char *table;

int
main(void)
{
    table = malloc(8);
    if (!table)
        return 1;
    volatile size_t n = 9;
    for (size_t i = 0; i < n; i++) /* BUG: one byte too many */
        ((volatile char *)table)[i] = 'x'; /* a loop: no call to check */
    _Exit(0);
}
