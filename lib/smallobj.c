/* SPDX-License-Identifier: MIT */
/*
 * smallobj.c -- the small-object allocator, after CPython's pymalloc
 * (Objects/obmalloc.c, 3.10+, 64-bit): arenas of 1 MiB from the arena
 * allocator, cut into pools of 16 KiB, each pool holding blocks of one
 * size class; requests of 0 or more than 512 bytes, and pointers it does
 * not own, go to the C library (libc_base.h -- not to the raw domain,
 * which has the debug hooks and would lay out a second debug block).
 *
 * The words are CPython's, and so is the bookkeeping:
 *
 *   usedpools[c]   the pools of class c that have both used and free
 *                  blocks, most recently used first; allocation takes the
 *                  head pool's first free block.
 *   arena->freepools  the arena's empty pools, ready for any class.
 *   usable_arenas  the arenas with at least one free pool, sorted by
 *                  their number of free pools, fewest first: new pools
 *                  come from the fullest arenas, so that the emptiest
 *                  ones drain and can be given back.  nfp2lasta[n] is the
 *                  last arena with n free pools, which keeps the sort an
 *                  O(1) move when a pool is freed.
 *
 * A wholly free arena is returned to the arena allocator (munmap), except
 * the last of usable_arenas, kept to avoid mapping and unmapping an arena
 * for every block in a loop that allocates and frees one (bpo-37257).
 *
 * Not thread-safe, by design (see smallobj.h).  Runs inside the
 * allocator: no malloc of its own, no stdio; its tables come from mmap.
 */
#include "config.h"

#include "smallobj.h"

#include "arenamap.h"
#include "libc_base.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#define ALIGNMENT_SHIFT 4
#define POOL_SIZE SMALLOBJ_POOL_SIZE
#define POOL_SIZE_MASK (POOL_SIZE - 1)
#define ARENA_SIZE SMALLOBJ_ARENA_SIZE
#define MAX_POOLS_IN_ARENA (ARENA_SIZE / POOL_SIZE)
#define POOL_OVERHEAD SMALLOBJ_POOL_OVERHEAD
#define INITIAL_ARENA_OBJECTS 16
#define DUMMY_SIZE_IDX 0xffff /* a pool that never held a class yet */

/* The header at the start of every pool. */
struct pool_header {
    unsigned count;           /* blocks handed out */
    unsigned szidx;           /* the size class */
    unsigned char *freeblock; /* the first free block; NULL: pool full */
    struct pool_header *nextpool, *prevpool; /* usedpools[] or freepools */
    unsigned arenaindex;                     /* the arena, in arenas[] */
    unsigned nextoffset;    /* the next block never handed out */
    unsigned maxnextoffset; /* the last place such a block can start */
};

_Static_assert(SMALLOBJ_ALIGNMENT == 1 << ALIGNMENT_SHIFT,
               "ALIGNMENT_SHIFT is the log2 of the class spacing");
_Static_assert((sizeof(struct pool_header) + SMALLOBJ_ALIGNMENT - 1) /
                       SMALLOBJ_ALIGNMENT * SMALLOBJ_ALIGNMENT ==
                   POOL_OVERHEAD,
               "SMALLOBJ_POOL_OVERHEAD is the pool header, rounded up");

/* An arena, or (address 0) a slot for one. */
struct arena {
    uintptr_t address;                   /* from the arena allocator; 0: none */
    unsigned char *pool_address;         /* the next pool never carved */
    unsigned nfreepools;                 /* free pools, carved or not */
    unsigned ntotalpools;                /* pools that fit after alignment */
    struct pool_header *freepools;       /* carved pools now empty */
    struct arena *nextarena, *prevarena; /* usable_arenas, or unused */
    deadbyte_arena_allocator_t allocator; /* the one that must free it */
};

/*
 * One list head per class.  CPython overlays its heads on pairs of
 * pointers; real (unused) headers as sentinels cost 1.5 KiB and no
 * casts.  Static and self-linked (empty), so the allocator works before
 * any constructor has run.
 */
#define EMPTY(i) [i] = {.nextpool = &usedpools[i], .prevpool = &usedpools[i]}
#define EMPTY4(i) EMPTY(i), EMPTY(i + 1), EMPTY(i + 2), EMPTY(i + 3)
#define EMPTY16(i) EMPTY4(i), EMPTY4(i + 4), EMPTY4(i + 8), EMPTY4(i + 12)
static struct pool_header usedpools[SMALLOBJ_CLASSES] = {EMPTY16(0),
                                                         EMPTY16(16)};

static struct arena *arenas; /* MAXARENAS slots, from mmap */
static unsigned maxarenas;
static struct arena *unused_arena_objects; /* slots with no arena */
static struct arena *usable_arenas;
static struct arena *nfp2lasta[MAX_POOLS_IN_ARENA + 1];

static size_t narenas_currently_allocated;
static size_t ntimes_arena_allocated;
static size_t narenas_highwater;

static void (*new_arena_hook)(void);

/* ---- The arena allocator ------------------------------------------- */

static void *
mmap_alloc(void *ctx, size_t size)
{
    (void)ctx;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void
mmap_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    munmap(ptr, size);
}

static const deadbyte_arena_allocator_t default_arena_allocator = {
    NULL,
    mmap_alloc,
    mmap_free,
};
static deadbyte_arena_allocator_t arena_allocator = {
    NULL,
    mmap_alloc,
    mmap_free,
};

void
deadbyte_get_arena_allocator(deadbyte_arena_allocator_t *allocator)
{
    if (allocator)
        *allocator = arena_allocator;
}

void
deadbyte_set_arena_allocator(const deadbyte_arena_allocator_t *allocator)
{
    if (allocator && allocator->alloc && allocator->free)
        arena_allocator = *allocator;
    else
        arena_allocator = default_arena_allocator;
}

/* ---- Free lists ---------------------------------------------------- */

/* A free block holds the address of the next one in its first word.
 * memcpy, not a cast: the block's memory held the program's data. */
static inline unsigned char *
next_free(const unsigned char *block)
{
    unsigned char *next;
    memcpy(&next, block, sizeof next);
    return next;
}

static inline void
set_next_free(unsigned char *block, unsigned char *next)
{
    memcpy(block, &next, sizeof next);
}

static inline struct pool_header *
pool_of(const void *p)
{
    return (struct pool_header *)((uintptr_t)p & ~(uintptr_t)POOL_SIZE_MASK);
}

/* ---- Arenas -------------------------------------------------------- */

/* Twice as many arena slots, in a new mapping.  Only called when every
 * arena is full, so nothing points into the old slots (usable_arenas
 * and nfp2lasta are empty): a copy is enough, as in CPython. */
static bool
grow_arena_slots(void)
{
    unsigned n = maxarenas ? 2 * maxarenas : INITIAL_ARENA_OBJECTS;
    if (n <= maxarenas)
        return false;
    struct arena *bigger =
        mmap(NULL, n * sizeof *arenas, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (bigger == MAP_FAILED)
        return false;
    if (arenas) {
        memcpy(bigger, arenas, maxarenas * sizeof *arenas);
        munmap(arenas, maxarenas * sizeof *arenas);
    }
    for (unsigned i = maxarenas; i < n; i++) {
        bigger[i].address = 0;
        bigger[i].nextarena = i + 1 < n ? &bigger[i + 1] : NULL;
    }
    arenas = bigger;
    unused_arena_objects = &arenas[maxarenas];
    maxarenas = n;
    return true;
}

/* A new arena, not yet in usable_arenas; NULL if none can be had (the
 * caller then falls back to the C library). */
static struct arena *
new_arena(void)
{
    if (new_arena_hook)
        new_arena_hook();
    int saved_errno = errno; /* a failure here is not the caller's */
    if (!unused_arena_objects && !grow_arena_slots()) {
        errno = saved_errno;
        return NULL;
    }
    struct arena *arena = unused_arena_objects;
    deadbyte_arena_allocator_t allocator = arena_allocator;
    void *address = allocator.alloc(allocator.ctx, ARENA_SIZE);
    if (address && !arenamap_mark((uintptr_t)address, true)) {
        allocator.free(allocator.ctx, address, ARENA_SIZE);
        address = NULL;
    }
    if (!address) {
        errno = saved_errno;
        return NULL;
    }
    unused_arena_objects = arena->nextarena;
    arena->address = (uintptr_t)address;
    arena->allocator = allocator;
    narenas_currently_allocated++;
    ntimes_arena_allocated++;
    if (narenas_currently_allocated > narenas_highwater)
        narenas_highwater = narenas_currently_allocated;

    /* Pools are POOL_SIZE-aligned, so that a block finds its pool header
     * by masking its address; the arena allocator need not align, and an
     * unaligned arena loses one pool's worth to the rounding. */
    arena->freepools = NULL;
    arena->pool_address = address;
    arena->nfreepools = MAX_POOLS_IN_ARENA;
    uintptr_t excess = arena->address & POOL_SIZE_MASK;
    if (excess != 0) {
        arena->nfreepools--;
        arena->pool_address += POOL_SIZE - excess;
    }
    arena->ntotalpools = arena->nfreepools;
    return arena;
}

/* Give the wholly free ARENA back to the allocator that made it. */
static void
free_arena(struct arena *arena)
{
    arenamap_mark(arena->address, false);
    arena->allocator.free(arena->allocator.ctx, (void *)arena->address,
                          ARENA_SIZE);
    arena->address = 0;
    arena->nextarena = unused_arena_objects;
    unused_arena_objects = arena;
    narenas_currently_allocated--;
}

/* ---- Allocation ---------------------------------------------------- */

/* The pool's free list ran out: carve its next never-used block, or, if
 * the pool is full, take it off usedpools (a full pool is in no list). */
static void
pool_extend(struct pool_header *pool, unsigned size)
{
    if (pool->nextoffset <= pool->maxnextoffset) {
        pool->freeblock = (unsigned char *)pool + pool->nextoffset;
        pool->nextoffset += (unsigned)smallobj_class_size(size);
        set_next_free(pool->freeblock, NULL);
        return;
    }
    struct pool_header *next = pool->nextpool, *prev = pool->prevpool;
    next->prevpool = prev;
    prev->nextpool = next;
}

/* No pool of class SIZE has a free block: take a free pool from the
 * head of usable_arenas (the fullest arena), or a new arena. */
static unsigned char *
allocate_from_new_pool(unsigned size)
{
    if (!usable_arenas) {
        usable_arenas = new_arena();
        if (!usable_arenas)
            return NULL;
        usable_arenas->nextarena = usable_arenas->prevarena = NULL;
        nfp2lasta[usable_arenas->nfreepools] = usable_arenas;
    }
    struct arena *arena = usable_arenas;

    /* The head has the fewest free pools: one fewer keeps it first, but
     * nfp2lasta must follow it down. */
    if (nfp2lasta[arena->nfreepools] == arena)
        nfp2lasta[arena->nfreepools] = NULL;
    if (arena->nfreepools > 1)
        nfp2lasta[arena->nfreepools - 1] = arena;

    struct pool_header *pool = arena->freepools;
    if (pool) {
        arena->freepools = pool->nextpool;
    } else {
        pool = (struct pool_header *)arena->pool_address;
        pool->arenaindex = (unsigned)(arena - arenas);
        pool->szidx = DUMMY_SIZE_IDX;
        arena->pool_address += POOL_SIZE;
    }
    if (--arena->nfreepools == 0) {
        /* Wholly allocated: out of usable_arenas. */
        usable_arenas = arena->nextarena;
        if (usable_arenas)
            usable_arenas->prevarena = NULL;
    }

    /* Into usedpools, at the head. */
    struct pool_header *head = &usedpools[size];
    pool->nextpool = head->nextpool;
    pool->prevpool = head;
    head->nextpool->prevpool = pool;
    head->nextpool = pool;
    pool->count = 1;
    unsigned char *bp;
    if (pool->szidx == size) {
        /* It held this class before: its free list is still good, and
         * holds every block the pool ever carved -- at least two, so it
         * does not run out here. */
        bp = pool->freeblock;
        pool->freeblock = next_free(bp);
        return bp;
    }
    /* Hand out the first block; the second starts the free list, and the
     * rest is carved on demand (nextoffset). */
    unsigned block = (unsigned)smallobj_class_size(size);
    pool->szidx = size;
    bp = (unsigned char *)pool + POOL_OVERHEAD;
    pool->nextoffset = (unsigned)POOL_OVERHEAD + 2 * block;
    pool->maxnextoffset = (unsigned)POOL_SIZE - block;
    pool->freeblock = bp + block;
    set_next_free(pool->freeblock, NULL);
    return bp;
}

/* A block of NBYTES (1..512) from the pools; NULL if it is not small or
 * no arena could be had. */
static inline unsigned char *
pool_alloc(size_t nbytes)
{
    /* nbytes 0 wraps around to a huge value: not small either. */
    if (nbytes - 1 >= SMALLOBJ_THRESHOLD)
        return NULL;
    unsigned size = (unsigned)(nbytes - 1) >> ALIGNMENT_SHIFT;
    struct pool_header *pool = usedpools[size].nextpool;
    if (pool == &usedpools[size])
        return allocate_from_new_pool(size);
    pool->count++;
    unsigned char *bp = pool->freeblock;
    pool->freeblock = next_free(bp);
    if (!pool->freeblock)
        pool_extend(pool, size);
    return bp;
}

/* ---- Release ------------------------------------------------------- */

/*
 * POOL just became empty: off usedpools, onto its arena's free pools;
 * then keep usable_arenas sorted, or give the arena back.
 */
static void
insert_to_freepool(struct pool_header *pool)
{
    struct pool_header *next = pool->nextpool, *prev = pool->prevpool;
    next->prevpool = prev;
    prev->nextpool = next;

    struct arena *arena = &arenas[pool->arenaindex];
    pool->nextpool = arena->freepools;
    arena->freepools = pool;
    unsigned nf = arena->nfreepools;
    /* If it was the last arena with nf free pools, the one before it
     * (if it has nf too) is the last now.  nf 0: not in the list. */
    struct arena *lastnf = nfp2lasta[nf];
    if (lastnf == arena) {
        struct arena *p = arena->prevarena;
        nfp2lasta[nf] = p && p->nfreepools == nf ? p : NULL;
    }
    arena->nfreepools = ++nf;

    /* 1. Wholly free, and not the last usable arena: give it back. */
    if (nf == arena->ntotalpools && arena->nextarena) {
        if (arena->prevarena)
            arena->prevarena->nextarena = arena->nextarena;
        else
            usable_arenas = arena->nextarena;
        arena->nextarena->prevarena = arena->prevarena;
        free_arena(arena);
        return;
    }
    /* 2. Its first free pool: it joins usable_arenas, at the head (no
     * arena has fewer than one free pool). */
    if (nf == 1) {
        arena->nextarena = usable_arenas;
        arena->prevarena = NULL;
        if (usable_arenas)
            usable_arenas->prevarena = arena;
        usable_arenas = arena;
        if (!nfp2lasta[1])
            nfp2lasta[1] = arena;
        return;
    }
    if (!nfp2lasta[nf])
        nfp2lasta[nf] = arena;
    /* 3. It was the last with nf-1 free pools: still in order. */
    if (arena == lastnf)
        return;
    /* 4. Move it after the last arena that had as many free pools as it
     * had: the list stays sorted. */
    if (arena->prevarena)
        arena->prevarena->nextarena = arena->nextarena;
    else
        usable_arenas = arena->nextarena;
    arena->nextarena->prevarena = arena->prevarena;
    arena->prevarena = lastnf;
    arena->nextarena = lastnf->nextarena;
    if (arena->nextarena)
        arena->nextarena->prevarena = arena;
    lastnf->nextarena = arena;
}

/* Release P if it is ours; false if it is not (the C library's). */
static inline bool
pool_free(void *p)
{
    if (!arenamap_owns(p))
        return false;
    struct pool_header *pool = pool_of(p);
    unsigned char *lastfree = pool->freeblock;
    set_next_free(p, lastfree);
    pool->freeblock = p;
    pool->count--;
    if (!lastfree) {
        /* The pool was full, in no list: back to the head of usedpools
         * (the blocks of a pool in use are likely in the cache). */
        struct pool_header *head = &usedpools[pool->szidx];
        pool->nextpool = head->nextpool;
        pool->prevpool = head;
        head->nextpool->prevpool = pool;
        head->nextpool = pool;
        return true; /* not empty: a pool holds 31 blocks or more */
    }
    if (pool->count == 0)
        insert_to_freepool(pool);
    return true;
}

/* ---- The allocator ------------------------------------------------- */

void *
smallobj_malloc(void *ctx, size_t size)
{
    unsigned char *p = pool_alloc(size);
    return p ? p : libc_base_malloc(ctx, size);
}

void *
smallobj_calloc(void *ctx, size_t nelem, size_t elsize)
{
    if (elsize != 0 && nelem > SIZE_MAX / elsize) {
        errno = ENOMEM;
        return NULL;
    }
    size_t size = nelem * elsize;
    unsigned char *p = pool_alloc(size);
    if (!p)
        return libc_base_calloc(ctx, nelem, elsize);
    memset(p, 0, size);
    return p;
}

void
smallobj_free(void *ctx, void *ptr)
{
    if (ptr && !pool_free(ptr))
        libc_base_free(ctx, ptr);
}

void *
smallobj_realloc(void *ctx, void *ptr, size_t new_size)
{
    if (!ptr)
        return smallobj_malloc(ctx, new_size);
    /* Not ours: the C library's block stays the C library's.  Taking a
     * small one over would mean copying bytes we cannot know are all
     * readable (CPython's bug 1185883). */
    if (!arenamap_owns(ptr))
        return libc_base_realloc(ctx, ptr, new_size);
    size_t size = smallobj_class_size(pool_of(ptr)->szidx);
    if (new_size <= size) {
        /* Shrinking costs a copy to save memory: only worth it when at
         * least a quarter of the block can be shaved off. */
        if (4 * new_size > 3 * size)
            return ptr;
        size = new_size;
    }
    void *q = smallobj_malloc(ctx, new_size);
    if (q) {
        memcpy(q, ptr, size);
        pool_free(ptr);
    }
    return q;
}

const deadbyte_allocator_t smallobj_allocator = {
    NULL, smallobj_malloc, smallobj_calloc, smallobj_realloc, smallobj_free,
};

bool
smallobj_owns(const void *p)
{
    return arenamap_owns(p);
}

/* ---- Statistics ---------------------------------------------------- */

void
smallobj_get_stats(struct smallobj_stats *out)
{
    memset(out, 0, sizeof *out);
    /* Full pools are in no list: walk every arena's carved pools, as
     * CPython does. */
    for (unsigned i = 0; i < maxarenas; i++) {
        const struct arena *arena = &arenas[i];
        if (!arena->address)
            continue;
        out->arenas++;
        out->unused_pools += arena->nfreepools;
        uintptr_t base = arena->address;
        if (base & POOL_SIZE_MASK) {
            out->alignment_loss += POOL_SIZE;
            base = (base & ~(uintptr_t)POOL_SIZE_MASK) + POOL_SIZE;
        }
        for (; base < (uintptr_t)arena->pool_address; base += POOL_SIZE) {
            const struct pool_header *pool = (const void *)base;
            if (pool->count == 0)
                continue; /* empty: among the unused pools */
            unsigned c = pool->szidx;
            out->pools[c]++;
            out->blocks[c] += pool->count;
            out->free_blocks[c] += smallobj_blocks_per_pool(c) - pool->count;
        }
    }
    out->arenas_total = ntimes_arena_allocated;
    out->arenas_highwater = narenas_highwater;
}

void
smallobj_on_new_arena(void (*fn)(void))
{
    new_arena_hook = fn;
}

void
smallobj_for_each_arena(void (*fn)(uintptr_t start, uintptr_t end, void *arg),
                        void *arg)
{
    for (unsigned i = 0; i < maxarenas; i++)
        if (arenas[i].address)
            fn(arenas[i].address, arenas[i].address + ARENA_SIZE, arg);
}
