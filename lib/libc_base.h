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

#endif
