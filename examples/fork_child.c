/* SPDX-License-Identifier: MIT */
/*
 * fork_child.c -- a correct program that forks: the child frees blocks
 * its parent allocated before the fork (its copies of them), allocates
 * and frees its own, and exits 0; the parent waits, then frees its
 * blocks.  `deadbyte -- ./fork_child` says nothing: the blocks made
 * before the fork are valid debug blocks in both processes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define COUNT 100

static unsigned
checksum(char **blocks, int count)
{
    unsigned sum = 0;
    for (int i = 0; i < count; i++)
        for (const char *c = blocks[i]; *c; c++)
            sum = sum * 31 + (unsigned char)*c;
    return sum;
}

int
main(void)
{
    char *blocks[COUNT];
    for (int i = 0; i < COUNT; i++) {
        blocks[i] = malloc((size_t)(i + 1) * 8);
        if (!blocks[i])
            return 1;
        snprintf(blocks[i], (size_t)(i + 1) * 8, "block %d", i);
    }
    printf("parent: %u\n", checksum(blocks, COUNT));
    fflush(stdout);

    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        unsigned sum = checksum(blocks, COUNT);
        for (int i = 0; i < COUNT; i++)
            free(blocks[i]); /* the parent's blocks, copied by fork */
        for (int i = 0; i < COUNT; i++) {
            blocks[i] = realloc(NULL, (size_t)(COUNT - i) * 8);
            if (!blocks[i])
                _exit(1);
            snprintf(blocks[i], (size_t)(COUNT - i) * 8, "child %d", i);
        }
        printf("child: %u %u\n", sum, checksum(blocks, COUNT));
        for (int i = 0; i < COUNT; i++)
            free(blocks[i]);
        exit(0);
    }

    int status;
    if (waitpid(pid, &status, 0) != pid) {
        perror("waitpid");
        return 1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "fork_child: the child failed (status %#x)\n",
                (unsigned)status);
        return 1;
    }
    printf("parent again: %u\n", checksum(blocks, COUNT));
    for (int i = 0; i < COUNT; i++)
        free(blocks[i]);
    return 0;
}
