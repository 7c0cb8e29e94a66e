/* SPDX-License-Identifier: MIT */
/*
 * signal_echo.c -- says which signals it gets: "ready PID" once its
 * handlers are in place, "got SIGUSR1" for each SIGUSR1, and "got SIGTERM" then
 * exit status 7 for SIGTERM.  Dies of SIGALRM after 20 seconds, so
 * that a signal that never comes cannot hang a test.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got_usr1, got_term;

static void
note(int sig)
{
    if (sig == SIGUSR1)
        got_usr1++;
    else
        got_term = 1;
}

static void
say(const char *line)
{
    (void)!write(STDOUT_FILENO, line, strlen(line));
}

int
main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = note;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigset_t mask, old;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, &old);
    alarm(20);
    char ready[32];
    snprintf(ready, sizeof ready, "ready %ld\n", (long)getpid());
    say(ready);
    for (;;) {
        while (!got_usr1 && !got_term)
            sigsuspend(&old);
        for (; got_usr1 > 0; got_usr1--)
            say("got SIGUSR1\n");
        if (got_term) {
            say("got SIGTERM\n");
            return 7;
        }
    }
}
