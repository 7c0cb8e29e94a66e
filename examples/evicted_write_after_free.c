/* SPDX-License-Identifier: MIT */
/*
 * evicted_write_after_free.c -- a write to a freed block, found when a
 * later free() pushes the block out of deadbyte's quarantine.  Run it
 * with a quarantine too small for two blocks (each counts with its
 * header and pads), so that the second free evicts the first:
 *
 *   deadbyte --quarantine=64 ./evicted_write_after_free
 *   deadbyte: write after free: 8 bytes of the 8-byte block allocated
 *   with malloc (call #N) changed after it was freed, the first at p+0
 *   (found when the block left the quarantine)
 *   Fatal error: free: write after free
 */
#include <stdio.h>
#include <stdlib.h>

/* Hides where P came from, so that the compiler keeps the bad store. */
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(void)
{
    long *count = launder(malloc(sizeof *count));
    char *other = launder(malloc(8));
    if (!count || !other)
        return 1;
    long *alias = launder(count); /* the same block, by another name */
    free(count);
    puts("counting through a freed pointer");
    fflush(stdout);
    *alias = 1; /* BUG: freed above */
    free(other); /* pushes count out of a 64-byte quarantine */
    return 0;
}
