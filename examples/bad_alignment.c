/* SPDX-License-Identifier: MIT */
/*
 * bad_alignment.c -- alignments the C library rejects: posix_memalign
 * with 24 (not a power of two) or 4 (smaller than a pointer), and
 * aligned_alloc with 48.  The program gets what glibc documents (EINVAL,
 * NULL) and goes on; deadbyte names each bad call on standard error:
 *
 *   deadbyte: warning: posix_memalign: alignment 24 is not a power of two
 *   multiple of sizeof(void *); returning EINVAL
 *
 * Not an error: the program exits 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Clang takes the allocation functions to leave errno alone: it may keep
 * errno's value across them, or move a store to errno past them.  This
 * barrier makes the compiler write errno before it and read it after. */
#define ERRNO_BARRIER() __asm__ volatile("" ::: "memory")

/* The alignment comes from a variable, so the compiler cannot see it. */
static volatile size_t align_24 = 24, align_4 = 4, align_48 = 48;

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
    errno = 0;
    ERRNO_BARRIER();
    /* volatile: an allocation that is only tested and freed may be left
     * out (clang does), and its result assumed non-NULL. */
    void *volatile q = aligned_alloc(align_48, 96);
    ERRNO_BARRIER();
    printf("aligned_alloc(48): %s, errno %s\n", q ? "a block" : "NULL",
           errno == EINVAL ? "EINVAL" : "not EINVAL");
    free(q);
    return 0;
}
