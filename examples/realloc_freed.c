/* SPDX-License-Identifier: MIT */
/*
 * realloc_freed.c -- realloc() of a buffer that was freed already:
 *
 *   deadbyte: realloc of freed memory: realloc was given the 16-byte block
 *   allocated with malloc (call #N), which was freed already
 *   Fatal error: realloc: realloc of a freed block
 */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(void)
{
    char *buffer = malloc(16);
    if (!buffer)
        return 1;
    char *alias = launder(buffer); /* the same block, by another name */
    free(buffer);
    puts("growing a freed buffer");
    fflush(stdout);
    /* launder: else clang turns a realloc whose block is only freed into
     * a free of the old one. */
    buffer = launder(realloc(alias, 64)); /* BUG: freed above */
    free(buffer);
    return 0;
}
