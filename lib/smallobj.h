/* SPDX-License-Identifier: MIT */
/*
 * smallobj.h -- the small-object allocator: CPython's pymalloc as of
 * 3.10 on 64-bit.  Requests of 1 to 512 bytes are served from pools of
 * 16 KiB, one size class per pool, carved from arenas of 1 MiB; anything
 * else, and any pointer it does not own, goes to the C library.  It is
 * the default base of the mem and obj domains.
 *
 * NOT thread-safe, by design, as pymalloc under the GIL: every call must
 * be serialised by the caller (a program calls the mem and obj domains
 * with its lock held; deadbyte_set_lock_check() lets the hooks check it).
 */
#ifndef DEADBYTE_SMALLOBJ_H
#define DEADBYTE_SMALLOBJ_H

#include "deadbyte.h"

#include "arenamap.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CPython's constants (Include/internal/pycore_obmalloc.h, 64-bit). */
#define SMALLOBJ_ALIGNMENT 16  /* size classes are this far apart */
#define SMALLOBJ_THRESHOLD 512 /* the largest small request */
#define SMALLOBJ_CLASSES (SMALLOBJ_THRESHOLD / SMALLOBJ_ALIGNMENT)
#define SMALLOBJ_POOL_SIZE ((size_t)16 * 1024)
#define SMALLOBJ_ARENA_SIZE ARENAMAP_ARENA_SIZE
#define SMALLOBJ_POOL_OVERHEAD ((size_t)48) /* the pool header, rounded */

/* The block size of size class I (0 .. SMALLOBJ_CLASSES-1). */
static inline size_t
smallobj_class_size(unsigned i)
{
    return ((size_t)i + 1) * SMALLOBJ_ALIGNMENT;
}

/* How many blocks of class I a pool holds. */
static inline size_t
smallobj_blocks_per_pool(unsigned i)
{
    return (SMALLOBJ_POOL_SIZE - SMALLOBJ_POOL_OVERHEAD) /
           smallobj_class_size(i);
}

/*
 * The allocator functions (ctx unused).  They follow the domain
 * contracts of deadbyte.h: size 0 gives a unique block (from the C
 * library), realloc(NULL, n) is malloc(n), free(NULL) does nothing.
 * realloc keeps a small block in place when the new size fits its class
 * and does not shave 25% or more off it (CPython's rule); otherwise it
 * moves the data, between classes or to and from the C library.
 */
void *smallobj_malloc(void *ctx, size_t size);
void *smallobj_calloc(void *ctx, size_t nelem, size_t elsize);
void *smallobj_realloc(void *ctx, void *ptr, size_t new_size);
void smallobj_free(void *ctx, void *ptr);

/* The four as one allocator. */
extern const deadbyte_allocator_t smallobj_allocator;

/* True if P lies in one of the allocator's arenas. */
bool smallobj_owns(const void *p);

/* True if ALLOCATOR is the small-object allocator. */
static inline bool
smallobj_is(const deadbyte_allocator_t *allocator)
{
    return allocator->malloc == smallobj_malloc;
}

/*
 * The numbers behind deadbyte_print_stats(), CPython's
 * _PyObject_DebugMallocStats: per size class, the pools in use (neither
 * empty nor unused), the blocks handed out and the free blocks left in
 * those pools; then the arenas and what their bytes are used for.
 */
struct smallobj_stats {
    size_t pools[SMALLOBJ_CLASSES];
    size_t blocks[SMALLOBJ_CLASSES];
    size_t free_blocks[SMALLOBJ_CLASSES];
    size_t arenas;           /* allocated now */
    size_t arenas_total;     /* allocated since the start */
    size_t arenas_highwater; /* the most allocated at once */
    size_t unused_pools;     /* empty, or not carved out yet */
    size_t alignment_loss;   /* bytes before the first and after the
                                last pool of unaligned arenas */
};
void smallobj_get_stats(struct smallobj_stats *out);

/*
 * Call FN at the start of every new arena, before it is allocated
 * (CPython prints its statistics there with PYTHONMALLOCSTATS).  NULL:
 * no call.  FN runs inside the allocator: no malloc of its own.
 */
void smallobj_on_new_arena(void (*fn)(void));

/* Call FN with the bounds of every arena (for the leak scan, whose
 * roots must not include free blocks' stale bytes). */
void smallobj_for_each_arena(void (*fn)(uintptr_t start, uintptr_t end,
                                        void *arg),
                             void *arg);

#endif
