/* SPDX-License-Identifier: MIT */
/*
 * guard_far_write.c -- one byte written 20 bytes past the end of a block:
 * it jumps over the 8-byte trailing pad, so that no check of the block's
 * bytes can see it.  Under --guard-pages=all the block's data ends
 * against a PROT_NONE page, and the store faults at once:
 *
 *   deadbyte: buffer overflow: a write at p+44 of the 24-byte block
 *   allocated with malloc (call #N), 20 bytes past its end
 *   Fatal error: guard page: write past the end of a block
 */
#include <stdlib.h>
#include <string.h>

struct record {
    char name[24];
};

/* Not inlined: the compiler would drop a store it can prove is out of
 * bounds, and the example would have no bug left. */
__attribute__((noipa)) static void
mark(char *field, size_t at)
{
    field[at] = '!';
}

int
main(void)
{
    struct record *r = malloc(sizeof *r);
    if (!r)
        return 1;
    strcpy(r->name, "short");
    mark(r->name, sizeof r->name + 20); /* the wrong field's offset */
    free(r);
    return 0;
}
