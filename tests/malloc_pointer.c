/* SPDX-License-Identifier: MIT */
/*
 * malloc_pointer.c -- a program that takes the address of malloc and
 * free, linked without PIE: the linker gives it undefined symbols
 * "malloc" and "free" whose values are its PLT entries (as in Debian's
 * python3), and dlsym() returns those.  It does not define them, so
 * deadbyte must not say that it does (tests/own_malloc.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *(*volatile allocate)(size_t);
void (*volatile release)(void *);

int
main(void)
{
    /* In the code, not in an initialiser: an absolute address there is
     * what makes the linker give the program a canonical PLT entry. */
    allocate = malloc;
    release = free;
    char *p = allocate(32);
    if (!p)
        return 1;
    strcpy(p, "through pointers");
    puts(p);
    release(p);
    return 0;
}
