/* SPDX-License-Identifier: MIT */
/*
 * strcpy_overflow.c -- strcpy() into a block one byte too small: the
 * classic malloc(strlen(s)).  deadbyte checks the destination against
 * the length of the string before anything is copied, and stops the
 * program at the call, with the block's bytes still intact:
 *
 *   Bad write by strcpy at (most recent call first):
 *     #0 ... in main examples/strcpy_overflow.c:LINE
 *   deadbyte: buffer overflow: strcpy wrote 9 bytes at p+0..p+9 of the
 *   8-byte block allocated with malloc (call #N), 1 byte past its end
 *   Fatal error: strcpy: write past the end of a block
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hides where P came from, so that GCC neither warns about the bug nor
 * fortifies strcpy() against it. */
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(void)
{
    const char *name = launder("deadbyte");
    char *copy = launder(malloc(strlen(name))); /* BUG: no room for NUL */
    if (!copy)
        return 1;
    strcpy(copy, name);
    puts(copy);
    free(copy);
    return 0;
}
