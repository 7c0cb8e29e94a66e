/* SPDX-License-Identifier: MIT */
/*
 * suppress_kinds.c -- the kinds of error that no example of examples/
 * shows, for tests/suppressions.sh to run under the launcher: not linked
 * with libdeadbyte, it finds the public functions in the preload library
 * with dlsym().
 *
 *   suppress_kinds track   free() of memory registered with deadbyte_track
 *   suppress_kinds lock    deadbyte_mem_malloc without the lock that
 *                          deadbyte_set_lock_check says it needs
 *
 * Exits 77 (skip) when the functions are not there (not run under
 * deadbyte).
 */
#include "deadbyte.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char pool[64];

static int
never_held(void *ctx)
{
    (void)ctx;
    return 0;
}

static void *
look_up(const char *name)
{
    void *f = dlsym(RTLD_DEFAULT, name);
    if (!f) {
        fprintf(stderr, "suppress_kinds: no %s: not run under deadbyte\n",
                name);
        exit(77);
    }
    return f;
}

/* Out of line, so that tracebacks name them. */
__attribute__((noinline)) static void
free_tracked(void)
{
    int (*track)(deadbyte_domain_t, const void *, size_t);
    *(void **)&track = look_up("deadbyte_track");
    if (track(DEADBYTE_DOMAIN_RAW, pool, sizeof pool) != 0) {
        fprintf(stderr, "suppress_kinds: deadbyte_track failed\n");
        exit(1);
    }
    void *volatile p = pool; /* hides from GCC that it is no heap block */
    free(p); /* BUG: deadbyte did not allocate it */
    __asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void
malloc_unlocked(void)
{
    void (*set_lock_check)(int (*)(void *), void *);
    void *(*mem_malloc)(size_t);
    *(void **)&set_lock_check = look_up("deadbyte_set_lock_check");
    *(void **)&mem_malloc = look_up("deadbyte_mem_malloc");
    set_lock_check(never_held, NULL);
    void *p = mem_malloc(16); /* BUG: the lock is not held */
    __asm__ volatile("" : : "r"(p) : "memory");
}

int
main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "track") == 0)
        free_tracked();
    else if (argc == 2 && strcmp(argv[1], "lock") == 0)
        malloc_unlocked();
    else
        fprintf(stderr, "usage: suppress_kinds track|lock\n");
    return 2;
}
