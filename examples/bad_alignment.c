/* SPDX-License-Identifier: MIT */
/*
 * bad_alignment.c -- alignments the C library rejects: posix_memalign
 * with 24 (not a power of two) or 4 (smaller than a pointer).  The
 * program gets what glibc documents (EINVAL, *p untouched) and goes on;
 * deadbyte names each bad call on standard error (aligned_alloc, whose
 * answer depends on the C library's version: odd_alignment.c):
 *
 *   deadbyte: warning: posix_memalign: alignment 24 is not a power of two
 *   multiple of sizeof(void *); returning EINVAL
 *
 * Not an error: the program exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The alignment comes from a variable, so the compiler cannot see it. */
static volatile size_t align_24 = 24, align_4 = 4;

int
main(void)
{
    void *p = NULL;
    int err = posix_memalign(&p, align_24, 100);
    printf("posix_memalign(24): %s, p %s\n", strerror(err),
           p ? "set" : "untouched");
    err = posix_memalign(&p, align_4, 100);
    printf("posix_memalign(4): %s, p %s\n", strerror(err),
           p ? "set" : "untouched");
    return 0;
}
