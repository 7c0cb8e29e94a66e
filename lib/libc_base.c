/* SPDX-License-Identifier: MIT */
/*
 * libc_base.c -- the C library's allocator as a deadbyte base allocator.
 *
 * glibc also exports its allocator as __libc_malloc & co.: calling those
 * reaches the C library even when malloc itself is interposed (by
 * deadbyte's preload library or anyone else), with no dlsym bootstrap.
 */
#include "config.h"

#include "libc_base.h"

#include <malloc.h>
#include <stdlib.h>

/* configure refuses a C library without them: calling plain malloc here
 * would re-enter the preload library's malloc forever. */
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void __libc_free(void *);
void *__libc_memalign(size_t, size_t);
#define LIBC(fn) __libc_##fn

/* The hooks never pass size 0, but a domain may be set to this allocator
 * without hooks, and size 0 must still give a unique block there. */
void *
libc_base_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return LIBC(malloc)(size ? size : 1);
}

void *
libc_base_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void)ctx;
    if (nelem == 0 || elsize == 0)
        nelem = elsize = 1;
    return LIBC(calloc)(nelem, elsize);
}

void *
libc_base_realloc(void *ctx, void *ptr, size_t new_size)
{
    (void)ctx;
    /* realloc(p, 0) frees in glibc; ours returns a zero-byte block. */
    return LIBC(realloc)(ptr, new_size ? new_size : 1);
}

void
libc_base_free(void *ctx, void *ptr)
{
    (void)ctx;
    LIBC(free)(ptr);
}

void *
libc_base_memalign(size_t align, size_t size)
{
    return LIBC(memalign)(align, size);
}

const deadbyte_allocator_t libc_base_allocator = {
    NULL, libc_base_malloc, libc_base_calloc, libc_base_realloc,
    libc_base_free,
};
