/* spawn.c -- start-up and exit cost, for bench/run.sh.
 *
 * Usage: spawn N PROGRAM [ARG]...
 *
 * Runs PROGRAM (a path: PATH is not searched) N times, one after the
 * other, with posix_spawn, and waits for each.  Under the launcher with
 * --follow-children (its default), every child is debugged too and pays
 * deadbyte's start and exit, so the time of the whole run, less the
 * plain one, divided by N is what deadbyte adds to a process.
 *
 * Standard output: one line that depends only on the arguments, so that
 * a run under a debugger can be compared with a plain one.  Exit status
 * 1 if a child could not be started or did not exit with status 0.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
    unsigned long n, failed = 0;
    char *end;

    if (argc < 3 || (n = strtoul(argv[1], &end, 10), *end)) {
        fputs("usage: spawn N PROGRAM [ARG]...\n", stderr);
        return 2;
    }
    for (unsigned long i = 0; i < n; i++) {
        pid_t pid;
        int status, err = posix_spawn(&pid, argv[2], NULL, NULL, argv + 2,
                                      environ);

        if (err) {
            fprintf(stderr, "spawn: %s: %s\n", argv[2], strerror(err));
            return 1;
        }
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)
            || WEXITSTATUS(status) != 0)
            failed++;
    }
    printf("spawn runs=%lu program=%s failed=%lu\n", n, argv[2], failed);
    return failed != 0;
}
