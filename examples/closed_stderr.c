/* SPDX-License-Identifier: MIT */
/*
 * closed_stderr.c -- an off-by-one in a program that has thrown its
 * standard error away: fd 2 is closed, then /dev/null put in its place.
 * The report cannot go to fd 2, yet `deadbyte -- ./closed_stderr` must
 * still deliver it to the launcher, which prints it as for c_overflow:
 *
 *   deadbyte: buffer overflow: something wrote past the end of the
 *   16-byte block, at p+16
 *   Fatal error: free: bad trailing pad byte
 *
 * and exits 134 (SIGABRT).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    volatile size_t end = 16;
    close(STDERR_FILENO);
    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0)
        return 1;
    if (fd != STDERR_FILENO) {
        if (dup2(fd, STDERR_FILENO) < 0)
            return 1;
        close(fd);
    }

    char *buf = launder(malloc(16));
    if (!buf)
        return 1;
    memset(buf, 'z', 16);
    puts("stderr is /dev/null now");
    fflush(stdout);
    buf[end] = '\0'; /* BUG: the last valid index is 15 */
    free(launder(buf)); /* launder: the bad write above must stay */
    return 0;
}
