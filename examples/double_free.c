/* SPDX-License-Identifier: MIT */
/*
 * double_free.c -- a buffer freed twice: once by its owner, once more by
 * a cleanup path that did not know.  deadbyte stops at the second free,
 * with where the block was allocated, where it was freed first, and where
 * it is freed again:
 *
 *   deadbyte: double free: free was given the 32-byte block allocated
 *   with malloc (call #N), which was freed already
 *   Fatal error: free: double free
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keeps the compiler from seeing through the pointer (and warning). */
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

static void
release(char *buffer)
{
    free(buffer);
}

static void
cleanup(char *buffer)
{
    free(buffer); /* BUG: release() freed it already */
}

int
main(void)
{
    char *buffer = malloc(32);
    if (!buffer)
        return 1;
    strcpy(buffer, "twice");
    puts(buffer);
    fflush(stdout);
    char *alias = launder(buffer); /* a second owner of the same block */
    release(buffer);
    cleanup(alias);
    return 0;
}
