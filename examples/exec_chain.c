/* SPDX-License-Identifier: MIT */
/*
 * exec_chain.c -- a correct program that replaces itself: stage 1 execs
 * itself (the path /proc/self/exe links to) with the argument "2";
 * stage 2 execs /bin/sh, which says "from sh" and execs this program
 * again with "3"; stage 3 exits 0.  Each stage allocates (and leaves
 * one block live across the exec).  `deadbyte -- ./exec_chain` says
 * nothing: the hooks come along through every exec, and the output is
 * the same four lines:
 *
 *   stage 1
 *   stage 2
 *   from sh
 *   stage 3
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *
stage_line(int stage)
{
    char *line = malloc(32);
    if (!line)
        exit(1);
    snprintf(line, 32, "stage %d", stage);
    char *copy = strdup(line);
    free(line);
    if (!copy)
        exit(1);
    return copy; /* left live across the exec */
}

/* The path of this program, from /proc/self/exe.  (Exec'ing the link
 * itself works too, but not under valgrind, where it names valgrind.) */
static void
self_path(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n < 0) {
        perror("exec_chain: readlink /proc/self/exe");
        exit(1);
    }
    buf[n] = '\0';
}

int
main(int argc, char **argv)
{
    int stage = argc > 1 ? atoi(argv[1]) : 1;
    char *line = stage_line(stage);
    puts(line);
    fflush(stdout);

    char self[PATH_MAX];
    if (stage == 1) {
        self_path(self, sizeof self);
        execl(self, argv[0], "2", (char *)NULL);
        perror("exec_chain: exec");
        return 1;
    }
    if (stage == 2) {
        /* /proc/self/exe would be the shell there: pass our own path. */
        self_path(self, sizeof self);
        execl("/bin/sh", "sh", "-c", "echo from sh; exec \"$0\" 3", self,
              (char *)NULL);
        perror("exec_chain: /bin/sh");
        return 1;
    }
    free(line);
    return 0;
}
