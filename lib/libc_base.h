/* SPDX-License-Identifier: MIT */
/*
 * libc_base.h -- the C library's allocator as a base allocator for the
 * debug hooks, reached without going through malloc itself, so that it
 * still works when deadbyte's preload library interposes malloc.
 */
#ifndef DEADBYTE_LIBC_BASE_H
#define DEADBYTE_LIBC_BASE_H

#include "deadbyte.h"

#include <stddef.h>

/* malloc, calloc, realloc and free of the C library (ctx unused). */
extern const deadbyte_allocator_t libc_base_allocator;

/* The same four, for static initialisers. */
void *libc_base_malloc(void *ctx, size_t size);
void *libc_base_calloc(void *ctx, size_t nelem, size_t elsize);
void *libc_base_realloc(void *ctx, void *ptr, size_t new_size);
void libc_base_free(void *ctx, void *ptr);

/* The C library's memalign: ALIGN a power of two. */
void *libc_base_memalign(size_t align, size_t size);

/*
 * How many bytes the C library block at PTR really holds, or SIZE_MAX
 * while that cannot be asked (see libc_base_set_usable_size).
 */
size_t libc_base_capacity(void *ctx, void *ptr);

/*
 * Use FN as the C library's malloc_usable_size; NULL: do not ask (until
 * set again).  The preload library interposes malloc_usable_size, so it
 * must point this at the C library's own one before any check needs it.
 */
void libc_base_set_usable_size(size_t (*fn)(void *));

#endif
