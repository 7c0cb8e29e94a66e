/* SPDX-License-Identifier: MIT */
/*
 * memcmp_after_free.c -- memcmp() of a block that was freed already.  The
 * block is still in deadbyte's quarantine, so deadbyte knows it, and
 * stops the program at the call, with where the block was allocated and
 * freed:
 *
 *   Bad read by memcmp at (most recent call first):
 *     #0 ... in main examples/memcmp_after_free.c:LINE
 *   deadbyte: use after free: memcmp read 6 bytes at p+0..p+6 of the
 *   8-byte block allocated with malloc (call #N), which was freed already
 *   Fatal error: memcmp: read of a freed block
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    char *token = launder(malloc(8));
    if (!token)
        return 1;
    strcpy(token, "secret");
    char *cached = launder(token); /* the same block, by another name */
    free(token);
    volatile size_t n = 6;
    printf("%d\n", memcmp(cached, "secret", n) > 0); /* BUG: freed */
    return 0;
}
