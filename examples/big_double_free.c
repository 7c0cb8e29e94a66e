/* SPDX-License-Identifier: MIT */
/*
 * big_double_free.c -- a double free of an 8 MiB block.  The report
 * looks at every byte of the freed block for writes after free; it must
 * still come at once, not after seconds:
 *
 *   deadbyte: double free: free was given the 8388608-byte block
 *   allocated with malloc (call #N), which was freed already
 *   Fatal error: free: double free
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keeps the compiler from seeing through the pointer (and warning). */
__attribute__((noinline)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(void)
{
    size_t size = (size_t)8 << 20;
    char *image = malloc(size);
    if (!image)
        return 1;
    memset(image, 0, size);
    puts("freeing an 8 MiB image twice");
    fflush(stdout);
    char *alias = launder(image);
    free(image);
    free(alias); /* BUG: freed already */
    return 0;
}
