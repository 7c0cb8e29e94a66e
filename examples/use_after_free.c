/* SPDX-License-Identifier: MIT */
/*
 * use_after_free.c -- malloc_usable_size() of a block that was freed
 * already.  The block is still in deadbyte's quarantine, so deadbyte
 * knows it and says so, with where it was allocated and freed:
 *
 *   deadbyte: use after free: malloc_usable_size was given the 10-byte
 *   block allocated with malloc (call #N), which was freed already
 *   Fatal error: malloc_usable_size: use of a freed block
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

/* Hides where P came from, so that the compiler keeps every call. */
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(void)
{
    char *name = launder(malloc(10));
    if (!name)
        return 1;
    char *alias = launder(name); /* the same block, by another name */
    free(name);
    puts("asking the size of a freed block");
    fflush(stdout);
    printf("%zu\n", malloc_usable_size(alias)); /* BUG: freed above */
    return 0;
}
