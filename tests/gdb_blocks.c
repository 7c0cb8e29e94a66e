/* SPDX-License-Identifier: MIT */
/*
 * gdb_blocks.c -- blocks for tests/gdb_block.sh to point deadbyte-block
 * at: a 40-byte block, an empty one and a page-aligned one, kept in a
 * global where gdb finds them when the program stops in stop_here().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *volatile blocks[3];

__attribute__((noinline)) void stop_here(void);

void
stop_here(void)
{
    __asm__ volatile("");
}

int
main(void)
{
    char *p = malloc(40);
    if (!p)
        return 1;
    memset(p, 'x', 40);
    blocks[0] = p;
    blocks[1] = malloc(0);
    void *aligned = NULL;
    if (posix_memalign(&aligned, 4096, 100) != 0)
        return 1;
    blocks[2] = aligned;
    printf("blocks %p %p %p\n", blocks[0], blocks[1], blocks[2]);
    fflush(stdout);
    stop_here();
    for (int i = 0; i < 3; i++)
        free(blocks[i]);
    return 0;
}
