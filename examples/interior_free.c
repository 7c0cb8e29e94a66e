/* SPDX-License-Identifier: MIT */
/*
 * interior_free.c -- free() of a pointer into the middle of a block: the
 * header was skipped, and the pointer to it freed instead of the block.
 * deadbyte names the block it points into and the offset:
 *
 *   deadbyte: interior pointer: free was given p+8, not the start p of the
 *   40-byte block allocated with malloc (call #N)
 *   Fatal error: free: interior pointer
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct message {
    uint64_t length;
    char text[32];
};

__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(void)
{
    struct message *m = malloc(sizeof *m);
    if (!m)
        return 1;
    m->length = 5;
    memcpy(m->text, "hello", 6);
    char *text = m->text;
    puts(text);
    fflush(stdout);
    free(launder(text)); /* BUG: should be free(m) */
    return 0;
}
