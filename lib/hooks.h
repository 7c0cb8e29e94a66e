/* SPDX-License-Identifier: MIT */
/*
 * hooks.h -- the debug hooks: malloc, calloc, realloc and free that lay
 * out a debug block (block.h) around every request and check it on
 * release, on top of a base allocator.
 */
#ifndef DEADBYTE_HOOKS_H
#define DEADBYTE_HOOKS_H

#include "deadbyte.h"

#include <stddef.h>

/*
 * The ctx of a hooked allocator: the API id written into its blocks and
 * the allocator the blocks come from.  CAPACITY, when not NULL, tells how
 * many bytes a base allocation really holds; it lets checks and reports
 * distrust a corrupt size field.
 */
struct hooks_ctx {
    char api_id;
    deadbyte_allocator_t base;
    size_t (*capacity)(void *base_ctx, void *base_ptr);
};

/* The allocator functions of the hooks; ctx is a struct hooks_ctx. */
void *hooks_malloc(void *ctx, size_t size);
void *hooks_calloc(void *ctx, size_t nelem, size_t elsize);
void *hooks_realloc(void *ctx, void *ptr, size_t new_size);
void hooks_free(void *ctx, void *ptr);

/* True if ALLOCATOR is the debug hooks. */
static inline int
hooks_installed(const deadbyte_allocator_t *allocator)
{
    return allocator->malloc == hooks_malloc;
}

#endif
