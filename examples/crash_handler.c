/* SPDX-License-Identifier: MIT */
/*
 * crash_handler.c -- a program whose SIGABRT handler cleans up after a
 * crash by freeing its cache; but the crash is a double free of that very
 * cache, so the handler frees it a third time.  deadbyte reports the
 * double free and calls abort(); the handler's free() is a second error
 * while the first is being reported, which deadbyte names in one line
 * before it ends the process at once:
 *
 *   deadbyte: double free: free was given the 32-byte block ...
 *   Fatal error: free: double free
 *   deadbyte: a second error while reporting the first in process N:
 *   free: double free; aborting
 *
 * and the launcher exits 134 (SIGABRT), as it would without the handler.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *cache;

/* Keeps the compiler from seeing through the pointer (and warning). */
__attribute__((noinline)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

static void
on_abort(int sig)
{
    (void)sig;
    free(launder(cache)); /* BUG: the crash was freeing it twice */
}

int
main(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_abort;
    sigemptyset(&action.sa_mask);
    sigaction(SIGABRT, &action, NULL);

    cache = malloc(32);
    if (!cache)
        return 1;
    strcpy(cache, "cached");
    puts(cache);
    fflush(stdout);
    char *alias = launder(cache);
    free(cache);
    free(alias); /* BUG: freed already */
    return 0;
}
