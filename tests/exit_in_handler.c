/* SPDX-License-Identifier: MIT */
/*
 * exit_in_handler.c -- a correct program that ends from a signal
 * handler with _exit(0), which is async-signal-safe, while its only
 * thread keeps allocating and freeing: the signal often lands inside the
 * allocator, where deadbyte may hold a lock of its own.  The check before
 * _exit must not wait for that lock for ever.  Exits 0, says nothing.
 * With the argument "exit" it ends with exit(0) instead: not
 * async-signal-safe, but common in handlers of SIGINT or SIGTERM, and
 * harmless with glibc when nothing at exit allocates; deadbyte's check
 * at exit must neither wait for its own lock nor give the quarantine
 * back to a C library allocator the signal interrupted.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static int end_with_exit;

static void
on_alarm(int sig)
{
    (void)sig;
    if (end_with_exit)
        exit(0);
    _exit(0);
}

/* Not static: the compiler may not drop the allocations. */
char *volatile last;

int
main(int argc, char **argv)
{
    end_with_exit = argc > 1 && strcmp(argv[1], "exit") == 0;
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
