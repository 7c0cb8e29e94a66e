/* SPDX-License-Identifier: MIT */
/*
 * registry.h -- every block handed out, from its pointer: size, API id,
 * offset from its base allocation, serial number and traceback ids, kept
 * while the block is live and while it sits in quarantine.  A block of
 * deadbyte's heap (heap.h) keeps its record beside its slot, found by
 * arithmetic; other blocks (other base allocators, memory tracked with
 * deadbyte_track) are kept in a hash table.  It is what
 * turns a double free, a free of a pointer never handed out or of an
 * interior pointer into a precise diagnosis, and what heap checks and
 * leak reports walk.
 */
#ifndef DEADBYTE_REGISTRY_H
#define DEADBYTE_REGISTRY_H

#include "block.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* struct block_record, what is kept of each block, is in block.h. */


/*
 * Start loading the cache lines where the entry of the block at P is, or
 * would go: a hint, taken without the lock, for a call that will look P
 * up a little later.  Most of the registry's time goes to missing the
 * cache on its large tables.
 */
void registry_prefetch(uintptr_t p);

/*
 * Record a new live block, or replace the record of the block at the same
 * address.  False if there was no room and no memory to make some (mmap
 * failed): then the block must not be handed out, since nothing could
 * release it.
 */
bool registry_add(const struct block_record *record);

/* What registry_begin_free() found. */
enum registry_found {
    REGISTRY_LIVE,     /* a live block: now marked freed */
    REGISTRY_FREED,    /* freed already */
    REGISTRY_UNKNOWN,  /* not a pointer deadbyte handed out */
};

/*
 * The block at P is about to be released: copy its record into *OUT and,
 * if it was live, mark it freed with FREE_TRACE, in one atomic step, so
 * that two threads freeing the same block cannot both succeed.
 */
enum registry_found registry_begin_free(uintptr_t p, uint32_t free_trace,
                                        struct block_record *out);

/* Mark the block at P live again (a realloc that failed). */
void registry_undo_free(uintptr_t p);

/* Forget the block at P; copy its record to *OUT if not NULL. */
bool registry_remove(uintptr_t p, struct block_record *out);

/* Copy the record of the block at P; false if there is none. */
bool registry_find(uintptr_t p, struct block_record *out);

/*
 * The live or freed block whose data (p .. p+size, or p itself for an
 * empty block) contains ADDR.  Visits every block: for error paths only.
 */
bool registry_containing(uintptr_t addr, struct block_record *out);

/*
 * The live or freed block whose bytes -- header, data, trailer -- contain
 * ADDR: in O(1) for a block of deadbyte's heap (heap.h), whose slot is
 * its bytes; else block by block.
 */
bool block_containing(uintptr_t addr, struct block_record *out);

/*
 * The block for which deadbyte made the page of ADDR inaccessible
 * (PROT_NONE): true, and its record in *OUT, iff ADDR lies in memory
 * deadbyte protected for a block that is live or in quarantine -- the
 * guard pages around a large block of its heap (the blocks with guard
 * pages, --guard-pages, are such blocks), and the pages of a block with
 * guard pages once it is freed.  O(1), lock-free, for
 * any address: the SIGSEGV handler calls it (guard_signal.c).
 */
bool block_guarding(uintptr_t addr, struct block_record *out);

/*
 * Call FN for every block: the heap's without a lock (a block freed
 * while FN runs may be seen as it was), the others' each shard locked
 * while it is visited.  FN must not allocate or call into the registry.
 */
void registry_for_each(void (*fn)(const struct block_record *, void *),
                       void *arg);

/* Call FN with each region of memory the registry itself uses. */
void registry_for_each_region(void (*fn)(uintptr_t start, uintptr_t end,
                                         void *arg),
                              void *arg);

/* Lock every shard (before fork) and unlock them (after, both sides). */
void registry_lock_all(void);
void registry_unlock_all(void);
/* The same in the child, which also takes back the free memory of the
 * threads that did not come along. */
void registry_unlock_all_in_child(void);
/* Whether this thread may take the registry's locks: false if one is
 * not let go of (spinlock_free_soon). */
bool registry_locks_free(void);

#endif
