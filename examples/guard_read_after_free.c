/* SPDX-License-Identifier: MIT */
/*
 * guard_read_after_free.c -- a field read through a pointer to an object
 * already freed.  The quarantine catches writes after free when the block
 * leaves it, never reads.  Under --guard-pages=all a freed block's pages
 * become PROT_NONE while it is in quarantine, and the read faults:
 *
 *   deadbyte: use after free: a read at p+8 of the 16-byte block
 *   allocated with malloc (call #N), which was freed already
 *   Fatal error: guard page: read of a freed block
 */
#include <stdio.h>
#include <stdlib.h>

struct point {
    long x, y;
};

/* Hides where P came from, so that the compiler keeps every call. */
__attribute__((noipa)) static struct point *
launder(struct point *p)
{
    return p;
}

int
main(void)
{
    struct point *p = launder(malloc(sizeof *p));
    if (!p)
        return 1;
    struct point *alias = launder(p); /* the same block, by another name */
    p->x = 1;
    free(p);
    printf("%ld\n", alias->y); /* read after free */
    return 0;
}
