/* SPDX-License-Identifier: MIT */
/*
 * own_malloc.c -- a correct program with an allocator of its own: it
 * defines malloc, calloc, realloc and free (a bump allocator over a
 * static arena), so its calls, and the C library's, never reach
 * deadbyte's.  deadbyte cannot check its blocks; under the launcher it
 * says so in one line, and the program runs as it does without it:
 *
 *   deadbyte: warning: malloc, calloc, realloc and free are defined in
 *   ./examples/own_malloc, ahead of deadbyte's: the blocks they hand out
 *   are not checked
 */
#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static alignas(max_align_t) unsigned char arena[1 << 20];
static size_t used;
static size_t calls;

/* Each block is preceded by its size, for realloc. */
void *
malloc(size_t size)
{
    const size_t header = sizeof(max_align_t);
    size_t need = (size + header + header - 1) / header * header;
    if (size > sizeof arena || need > sizeof arena - used) {
        errno = ENOMEM;
        return NULL;
    }
    unsigned char *p = arena + used + header;
    memcpy(p - sizeof size, &size, sizeof size);
    used += need;
    calls++;
    return p;
}

void
free(void *p)
{
    (void)p; /* a bump allocator never reuses */
}

void *
calloc(size_t nelem, size_t elsize)
{
    if (elsize != 0 && nelem > (size_t)-1 / elsize) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = malloc(nelem * elsize);
    if (p)
        memset(p, 0, nelem * elsize);
    return p;
}

void *
realloc(void *old, size_t size)
{
    void *p = malloc(size);
    if (p && old) {
        size_t old_size;
        memcpy(&old_size, (unsigned char *)old - sizeof old_size,
               sizeof old_size);
        memcpy(p, old, old_size < size ? old_size : size);
    }
    return p;
}

int
main(void)
{
    char *s = malloc(32);
    strcpy(s, "made by our own malloc");
    s = realloc(s, 64);
    strcat(s, ", grown");
    int *zeros = calloc(8, sizeof *zeros);
    printf("%s; calloc gave %d; %s\n", s, zeros[7],
           calls >= 3 ? "all three calls came here" : "calls went elsewhere");
    free(zeros);
    free(s);
    return 0;
}
