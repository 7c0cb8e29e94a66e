/* SPDX-License-Identifier: MIT */
/*
 * abort_then_exit.c -- a program with a buffer overflow, found by the
 * heap check (--check-every 1), whose SIGABRT handler ends the process
 * itself: with _exit(3), or with exit(3) given the argument "exit"; with
 * the argument "exec" it first runs /bin/true in a child it forks and
 * execs, as crash handlers start a reporter.  The report is the only
 * one: the check made as the handler ends the process (or as the child
 * execs) must not find the same damage again, and call it a second
 * error, or report it once more.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int end_with_exit, start_child;

static void
on_abort(int sig)
{
    (void)sig;
    if (start_child) {
        pid_t child = fork();
        if (child == 0) {
            execl("/bin/true", "true", (char *)NULL);
            _exit(127);
        }
        if (child > 0)
            waitpid(child, NULL, 0);
    }
    if (end_with_exit)
        exit(3);
    _exit(3);
}

/* Not static: the compiler may not drop the allocations. */
char *volatile kept, *volatile next;

int
main(int argc, char **argv)
{
    end_with_exit = argc > 1 && strcmp(argv[1], "exit") == 0;
    start_child = argc > 1 && strcmp(argv[1], "exec") == 0;
    signal(SIGABRT, on_abort);
    kept = malloc(16);
    if (!kept)
        return 1;
    for (int i = 0; i < 17; i++) /* one byte past the end, by stores */
        ((volatile char *)kept)[i] = 'A'; /* (a memset would be stopped) */
    next = malloc(8); /* the heap check finds it here */
    free(next);
    return 0;
}
