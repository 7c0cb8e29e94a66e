/* SPDX-License-Identifier: MIT */
/*
 * quarantine.h -- freed blocks held back, first in first out, up to a
 * budget in bytes (--quarantine), so that a write through a stale pointer
 * lands in DEADBYTE-filled memory nobody else uses, where the check made
 * when the block leaves can see it.
 *
 * There are two: blocks leave a quarantine when a later free() pushes
 * them out, and they go back to the allocator that made them right then,
 * on the thread of that free().  The C library's allocator may be called
 * from any thread; the small-object allocator under the mem and obj
 * domains may not (smallobj.h): their blocks wait in a quarantine of
 * their own, which only mem and obj calls -- serialised by the program's
 * lock -- push blocks out of.
 */
#ifndef DEADBYTE_QUARANTINE_H
#define DEADBYTE_QUARANTINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spinlock.h"

struct quarantine_item {
    uintptr_t p;   /* the freed block */
    void *ctx;     /* the struct hooks_ctx that will release it */
    size_t bytes;  /* what it holds of the base allocator */
    size_t size;   /* its data bytes, and where they start in its base
                      allocation: enough to check the block when it
                      leaves, without a look at its record */
    uint32_t offset;
    bool guarded;  /* its pages are PROT_NONE (--guard-pages): nothing
                      can have written to them */
};

/*
 * A quarantine is QUARANTINE_LANES ring buffers, each behind a spinlock
 * of its own and on cache lines of its own: a thread adds to, and pushes
 * out of, the lane it was given at its first free, so that two threads
 * freeing at once do not fight over one lock.  The budget is in bytes
 * and in blocks (--quarantine, --quarantine-blocks): many small blocks
 * cost more than their bytes say.  A lane holds up to the
 * budget less what the other lanes hold, but may always hold the budget
 * divided by the number of lanes in use: a thread that frees alone has
 * the whole budget, two that free as much have half each.  Zero is an
 * empty quarantine.
 */
#define QUARANTINE_LANES 8

struct quarantine_lane {
    struct spinlock lock;
    struct quarantine_item *ring;
    size_t capacity; /* a power of two */
    size_t head;     /* oldest */
    size_t count;
    size_t bytes;    /* read by other lanes without the lock */
    size_t others;   /* what the other lanes held, a few frees ago */
    size_t other_count; /* and how many blocks */
    unsigned until_refresh; /* frees before OTHERS is read again */
} __attribute__((aligned(64)));

struct quarantine {
    struct quarantine_lane lanes[QUARANTINE_LANES];
};

/* For the C library's allocator (malloc, operator new, the raw domain). */
extern struct quarantine quarantine_shared;
/* For the mem and obj domains. */
extern struct quarantine quarantine_domains;

/* Both, for what walks every quarantined block. */
#define QUARANTINE_FOR_ALL(q)                                                  \
    for (struct quarantine *q = &quarantine_shared; q;                        \
         q = q == &quarantine_shared ? &quarantine_domains : NULL)

/* What quarantine_add() returns when it had no room for ITEM (mmap
 * failed): then release ITEM at once. */
#define QUARANTINE_NO_ROOM ((size_t)-1)

/*
 * Hold back ITEM in the calling thread's lane, then, while the lane holds
 * more than its share of BUDGET bytes or of BLOCKS blocks, take out its
 * oldest items, up to MAX, into OUT: how many, for the caller to check
 * and release.  All under one taking of the lane's lock.  *NEXT is set to
 * the oldest item left (0: none), for the caller to prefetch what it will
 * read when that one leaves.  A result of MAX may leave more to take:
 * see quarantine_take().
 */
size_t quarantine_add(struct quarantine *q, const struct quarantine_item *item,
                      size_t budget, size_t blocks,
                      struct quarantine_item *out, size_t max,
                      uintptr_t *next);

/* The same without adding: take out up to MAX items while the calling
 * thread's lane is over its share.  BUDGET 0 takes out everything, from
 * every lane. */
size_t quarantine_take(struct quarantine *q, size_t budget, size_t blocks,
                       struct quarantine_item *out, size_t max,
                       uintptr_t *next);

/* Call FN for every block in the quarantine, the quarantine locked. */
void quarantine_for_each(struct quarantine *q,
                         void (*fn)(const struct quarantine_item *, void *),
                         void *arg);

/* Call FN with each region of memory the quarantine itself uses. */
void quarantine_for_each_region(struct quarantine *q,
                                void (*fn)(uintptr_t start, uintptr_t end,
                                           void *arg),
                                void *arg);

/* Bytes held now, in all lanes. */
size_t quarantine_bytes(struct quarantine *q);

/* Lock and unlock every lane of both quarantines around fork. */
void quarantine_lock_all(void);
void quarantine_unlock_all(void);
/* Whether this thread may take the quarantine's locks (as
 * registry_locks_free). */
bool quarantine_locks_free(void);

#endif
