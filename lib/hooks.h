/* SPDX-License-Identifier: MIT */
/*
 * hooks.h -- the debug hooks: malloc, calloc, realloc and free that lay
 * out a debug block (block.h) around every request and check it on
 * release, on top of a base allocator; and, for the preload library, the
 * aligned, sized and usable-size calls of the C library and C++.
 */
#ifndef DEADBYTE_HOOKS_H
#define DEADBYTE_HOOKS_H

#include "deadbyte.h"
#include "registry.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The ctx of a hooked allocator: the API id written into its blocks and
 * the allocator the blocks come from.  MEMALIGN, when not NULL, is the
 * base's aligned allocation, for hooks_memalign() (the C library's).
 * QUARANTINE is where freed blocks wait; NULL is quarantine_shared, for
 * a base that any thread may call.  CHECK_LOCK: every call first asks the
 * program's lock check (lockcheck.h), as CPython's hooks check the GIL
 * on the mem and obj domains.
 */
struct quarantine;
struct hooks_ctx {
    char api_id;
    deadbyte_allocator_t base;
    void *(*memalign)(size_t align, size_t size);
    struct quarantine *quarantine;
    bool check_lock;
};

/* The allocator functions of the hooks; ctx is a struct hooks_ctx. */
void *hooks_malloc(void *ctx, size_t size);
void *hooks_calloc(void *ctx, size_t nelem, size_t elsize);
void *hooks_realloc(void *ctx, void *ptr, size_t new_size);
void hooks_free(void *ctx, void *ptr);

/*
 * A block whose data is aligned to ALIGN, a power of two (the caller
 * validates it), with the usual header right before the data and the
 * usual trailer after it.  NULL with errno ENOMEM if it cannot be made.
 */
void *hooks_memalign(struct hooks_ctx *ctx, size_t align, size_t size);

/*
 * Free PTR, which the program says holds SIZE bytes (C++ sized delete):
 * a different size is a fatal error, as is anything hooks_free() checks.
 */
void hooks_free_sized(struct hooks_ctx *ctx, void *ptr, size_t size);

/* The requested size of the block at PTR, after checking it as a block
 * of the API that made it. */
size_t hooks_usable_size(void *ptr);

/* What is wrong with the bytes of the block at P, which the registry
 * knows as RECORD, for a call expecting API (see hooks_check_block):
 * BLOCK_OK if nothing.  Reports nothing. */
enum block_fault hooks_block_fault(char api, const unsigned char *p,
                                   const struct block_record *record);

/*
 * Check the bytes of the block at P, which the registry knows as RECORD,
 * for FUNC expecting API: in CPython's order the API id, the leading pad,
 * then -- the registry's size being the true one -- the size field and
 * the trailing pad.  A fault is a fatal report with TRACE as the stack of
 * the check.  True if the block is sound; false after a report that
 * returned (--keep-going: the block is then marked, and leaked), or none
 * (reported before).
 */
bool hooks_check_block(const char *func, char api, const unsigned char *p,
                       const struct block_record *record, uint32_t trace);

/* True if ALLOCATOR is the debug hooks. */
static inline int
hooks_installed(const deadbyte_allocator_t *allocator)
{
    return allocator->malloc == hooks_malloc;
}

/* The API id of the blocks ALLOCATOR makes if it is the debug hooks, 0
 * if it is not. */
int hooks_api_of(const deadbyte_allocator_t *allocator);

/* If ALLOCATOR is the debug hooks, the allocator beneath them in *BASE,
 * and true; false if it is not. */
bool hooks_base_of(const deadbyte_allocator_t *allocator,
                   deadbyte_allocator_t *base);

/*
 * --check-every: the calls the hooks made (each block made, and each
 * free that puts one in the quarantine) that no heap check has taken
 * off yet.  The hooks only count them, when options.check_every is set;
 * the lifecycle checks the heap after a call (LIFECYCLE_RETURN) and
 * takes N off for each check.
 */
extern atomic_size_t hooks_unchecked_calls;

/*
 * True in a child of fork until it allocates, frees or resizes a block
 * through the hooks: until then its heap is its parent's, which the
 * parent checks at its own end, and the child's end (an exec, above all,
 * as a shell's children do) makes no check and no leak report of its
 * own.  The lifecycle's fork handler calls hooks_note_fork_child().
 */
bool hooks_untouched_since_fork(void);
void hooks_note_fork_child(void);

#endif
