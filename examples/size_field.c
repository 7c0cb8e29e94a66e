/* SPDX-License-Identifier: MIT */
/*
 * size_field.c -- a wild write that reaches the size field in front of a
 * block (p-16 to p-9 on a 64-bit machine) and leaves its pad bytes alone.
 * deadbyte compares the field with the size it recorded:
 *
 *   The size field is wrong: deadbyte recorded 24 bytes for this block.
 *   deadbyte: the size field is corrupt: an underflow or a wild write
 *   reached the header
 *   Fatal error: free: bad size field
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hides where P came from, so that the compiler keeps the bad stores. */
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(void)
{
    volatile int header = -2 * (int)sizeof(size_t);
    unsigned char *line = launder(malloc(24));
    if (!line)
        return 1;
    memset(line, 'x', 24);
    puts("writing a size of 1 over the block's header");
    fflush(stdout);
    /* BUG: a big-endian 1 written where the block's size is kept */
    for (int i = header; i < header + (int)sizeof(size_t); i++)
        line[i] = i == header + (int)sizeof(size_t) - 1;
    free(line);
    return 0;
}
