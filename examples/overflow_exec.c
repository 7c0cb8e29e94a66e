/* SPDX-License-Identifier: MIT */
/*
 * overflow_exec.c -- a program that overflows a block, then replaces
 * itself with /bin/true: nothing of it returns or exits, but deadbyte
 * checks the heap before the exec replaces the image, and the report
 * ends the process (exit status 134) instead of the exec.
 *
 *   deadbyte: buffer overflow: something wrote past the end of the
 *   8-byte block, at p+8
 *   Fatal error: deadbyte_check_heap: bad trailing pad byte
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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
    char *const args[] = {"true", NULL};
    execv("/bin/true", args);
    perror("overflow_exec: /bin/true");
    return 1;
}
