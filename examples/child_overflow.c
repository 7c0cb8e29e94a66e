/* SPDX-License-Identifier: MIT */
/*
 * child_overflow.c -- the bug is in a child process: it writes one byte
 * past a 16-byte block and frees it; the parent waits and says how the
 * child ended.  `deadbyte -- ./child_overflow` reports the child's
 * error, as for c_overflow:
 *
 *   deadbyte: buffer overflow: something wrote past the end of the
 *   16-byte block, at p+16
 *   Fatal error: free: bad trailing pad byte
 *
 * the parent prints "child died", and the launcher exits with the
 * parent's status, 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Hides where P came from, so that GCC does not see the bad index. */
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(void)
{
    puts("forking");
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        volatile size_t end = 16;
        char *buf = launder(malloc(16));
        if (!buf)
            _exit(1);
        memset(buf, 'c', 16);
        buf[end] = '\0'; /* BUG: the last valid index is 15 */
        free(launder(buf)); /* launder: the memset above must stay */
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) {
        perror("waitpid");
        return 1;
    }
    if (WIFSIGNALED(status))
        puts("child died");
    else
        printf("child exited with status %d\n", WEXITSTATUS(status));
    return 0;
}
