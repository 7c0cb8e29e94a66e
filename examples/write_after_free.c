/* SPDX-License-Identifier: MIT */
/*
 * write_after_free.c -- a counter bumped through a pointer to a freed
 * object.  The freed block waits in deadbyte's quarantine, filled with
 * 0xDD; when it leaves (here: at exit), the changed byte is reported with
 * where the block was allocated and freed:
 *
 *   deadbyte: write after free: 1 byte of the 24-byte block allocated
 *   with malloc (call #N) changed after it was freed, the first at p+16
 *   Fatal error: deadbyte_check_heap: write after free
 */
#include <stdio.h>
#include <stdlib.h>

struct session {
    long id;
    long user;
    unsigned char hits;
};

static struct session *
open_session(long id)
{
    struct session *s = calloc(1, sizeof *s);
    if (s)
        s->id = id;
    return s;
}

static void
close_session(struct session *s)
{
    free(s);
}

/* Not inlined: the compiler would otherwise drop a store it can prove
 * lands in freed memory, and the example would have no bug left. */
__attribute__((noipa)) static void
count_hit(struct session *s)
{
    s->hits++;
}

int
main(void)
{
    struct session *s = open_session(7);
    if (!s)
        return 1;
    printf("session %ld opened\n", s->id);
    struct session *volatile stale = s;
    close_session(s);
    count_hit(stale); /* BUG: the session is closed */
    puts("session closed");
    return 0;
}
