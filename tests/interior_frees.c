/* SPDX-License-Identifier: MIT */
/*
 * interior_frees.c -- free (or realloc) of a pointer into a block, for
 * tests/interior_frees.sh, which runs it under the launcher:
 *
 *   interior_frees HOW SIZE OFFSET [NEIGHBOURS]
 *
 * allocates a SIZE-byte block with HOW (malloc, calloc, memalign: aligned
 * on 4096, realloc: grown from 10 bytes), NEIGHBOURS more blocks of the
 * same size around it (0 unless given), prints "block p=ADDRESS" and
 * passes p+OFFSET to free; with HOW "realloc-call" to realloc instead,
 * with "freed" to free after p itself was freed.  deadbyte must stop it
 * there: exit status 3 if it returns.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hide the pointer from the compiler, so the bug stays in. */
__attribute__((noinline)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    const char *how = argv[1];
    size_t size = strtoul(argv[2], NULL, 0);
    size_t offset = strtoul(argv[3], NULL, 0);
    size_t neighbours = argc > 4 ? strtoul(argv[4], NULL, 0) : 0;
    void **around = calloc(neighbours + 1, sizeof *around);
    if (!around)
        return 2;
    for (size_t i = 0; i < neighbours / 2; i++)
        around[i] = malloc(size);
    char *p;
    if (strcmp(how, "calloc") == 0)
        p = calloc(size, 1);
    else if (strcmp(how, "memalign") == 0)
        p = memalign(4096, size);
    else if (strcmp(how, "realloc") == 0)
        p = realloc(malloc(10), size);
    else
        p = malloc(size);
    if (!p)
        return 2;
    memset(p, 0x42, size);
    for (size_t i = neighbours / 2; i < neighbours; i++)
        around[i] = malloc(size);
    printf("block p=%p\n", (void *)p);
    fflush(stdout);
    if (strcmp(how, "freed") == 0)
        free(p);
    if (strcmp(how, "realloc-call") == 0)
        p = realloc(launder(p + offset), 2 * size);
    else
        free(launder(p + offset));
    for (size_t i = 0; i < neighbours; i++)
        free(around[i]);
    free(around);
    return 3;
}
