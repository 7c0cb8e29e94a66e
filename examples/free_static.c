/* SPDX-License-Identifier: MIT */
/*
 * free_static.c -- free() of a static buffer, in the program's data:
 *
 *   Pointer 0x55... was not handed out by deadbyte: it lies in the data of
 *   /.../free_static.
 *   Fatal error: free: invalid pointer
 */
#include <stdio.h>
#include <stdlib.h>

static char greeting[32] = "static data";

__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(void)
{
    puts(greeting);
    fflush(stdout);
    free(launder(greeting)); /* BUG: greeting is not on the heap */
    return 0;
}
