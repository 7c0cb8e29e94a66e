/* SPDX-License-Identifier: MIT */
/*
 * exit_in_handler.c -- a correct program that ends from a signal
 * handler with _exit(0), which is async-signal-safe, while its only
 * thread keeps allocating and freeing: the signal often lands inside the
 * allocator, where deadbyte may hold a lock of its own.  The check before
 * _exit must not wait for that lock for ever.  Exits 0, says nothing.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static void
on_alarm(int sig)
{
    (void)sig;
    _exit(0);
}

/* Not static: the compiler may not drop the allocations. */
char *volatile last;

int
main(void)
{
    signal(SIGALRM, on_alarm);
    struct itimerval soon = {{0, 0}, {0, 20 * 1000}};
    if (setitimer(ITIMER_REAL, &soon, NULL) != 0)
        return 1;
    for (;;) {
        char *p = malloc(100);
        if (!p)
            return 1;
        memset(p, 1, 100);
        last = p;
        free(p);
    }
}
