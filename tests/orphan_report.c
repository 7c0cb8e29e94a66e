/* SPDX-License-Identifier: MIT */
/*
 * orphan_report.c -- a bug in an orphan: the program starts a child,
 * which starts a grandchild and exits at once; the grandchild waits until
 * the program itself has exited too (the end of a pipe), then writes one
 * byte past a block and frees it.  Nobody but the launcher is left to see
 * its report; the program itself exits with 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Hides where P came from, so that no compiler sees the bad index, nor
 * drops the write just before a free. */
__attribute__((noinline)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

static void
grandchild(int until_eof)
{
    char byte;
    while (read(until_eof, &byte, 1) > 0)
        continue; /* EOF: the program has exited */
    volatile size_t end = 16;
    char *buf = launder(malloc(16));
    if (!buf)
        _exit(1);
    memset(buf, 'o', 16);
    buf[end] = '\0'; /* BUG: the last valid index is 15 */
    free(launder(buf)); /* clang would drop the store before a free */
    _exit(0);
}

int
main(void)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        return 1;
    }
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[1]);
            grandchild(fds[0]);
        }
        _exit(pid < 0);
    }
    close(fds[0]);
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "orphan_report: the child failed\n");
        return 1;
    }
    puts("program exits");
    return 0; /* closes fds[1]: the grandchild goes on */
}
