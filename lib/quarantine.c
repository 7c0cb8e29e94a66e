/* SPDX-License-Identifier: MIT */
/*
 * quarantine.c -- the lanes of freed blocks: ring buffers, each behind a
 * spinlock; a ring grows by doubling into memory from mmap.  The blocks'
 * bytes are checked by the caller, outside the lock.
 *
 * A thread's lane is fixed at its first free, round robin; when it exits
 * its blocks stay in the lane, which another thread pushes out.  With one lock per lane, two threads freeing at once no
 * longer take turns on one cache line three times per free (churn with 2
 * threads got less done than with 1).
 */
#include "config.h"

#include "quarantine.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

struct quarantine quarantine_shared;
struct quarantine quarantine_domains;

/* Threads that have asked for a lane, ever. */
static atomic_size_t threads_seen;
/* The calling thread's lane plus one; 0 before its first free.
 * Initial-exec: the general-dynamic model may allocate on first use. */
static __thread unsigned thread_lane
    __attribute__((tls_model("initial-exec")));

static struct quarantine_lane *
my_lane(struct quarantine *q)
{
    if (!thread_lane)
        thread_lane = (unsigned)(atomic_fetch_add_explicit(
                                     &threads_seen, 1, memory_order_relaxed) %
                                 QUARANTINE_LANES) +
                      1;
    return &q->lanes[thread_lane - 1];
}

/* Frees between two looks at the other lanes' bytes: their cache lines
 * are being written by other threads, and reading them at every free
 * would bring back the traffic that lanes took away. */
#define REFRESH_EVERY 64

/* What the lanes of Q other than L hold, read without their locks: into
 * L's OTHERS and OTHER_COUNT. */
static void
look_at_others(const struct quarantine *q, struct quarantine_lane *l)
{
    size_t bytes = 0, count = 0;
    for (size_t i = 0; i < QUARANTINE_LANES; i++)
        if (&q->lanes[i] != l) {
            bytes += __atomic_load_n(&q->lanes[i].bytes, __ATOMIC_RELAXED);
            count += __atomic_load_n(&q->lanes[i].count, __ATOMIC_RELAXED);
        }
    l->others = bytes;
    l->other_count = count;
}

/*
 * Does lane L of Q, locked, hold more than it may of BUDGET bytes or of
 * BLOCKS blocks: more than the budget less what the other lanes held at
 * the last look, and more than the budget over the lanes in use?
 * (Multiplied out: a division at every free cost more than the rest of
 * the test.)
 */
static bool
over_share(const struct quarantine *q, struct quarantine_lane *l,
           size_t budget, size_t blocks)
{
    if (l->until_refresh == 0) {
        look_at_others(q, l);
        l->until_refresh = REFRESH_EVERY;
    }
    l->until_refresh--;
    bool over_bytes = l->bytes + l->others > budget;
    bool over_blocks = l->count + l->other_count > blocks;
    if (!over_bytes && !over_blocks)
        return false;
    size_t seen = atomic_load_explicit(&threads_seen, memory_order_relaxed);
    size_t lanes = seen < QUARANTINE_LANES ? (seen ? seen : 1)
                                           : QUARANTINE_LANES;
    return (over_bytes && l->bytes * lanes > budget) ||
           (over_blocks && l->count * lanes > blocks);
}

static bool
grow(struct quarantine_lane *l)
{
    size_t new_capacity = l->capacity ? 2 * l->capacity : 4096;
    /* Populated at once: a ring that had to grow will be filled, and one
     * mmap filling the pages costs less than a page fault apiece. */
    struct quarantine_item *bigger =
        mmap(NULL, new_capacity * sizeof *l->ring, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (bigger == MAP_FAILED)
        return false;
    for (size_t i = 0; i < l->count; i++)
        bigger[i] = l->ring[(l->head + i) & (l->capacity - 1)];
    if (l->ring)
        munmap(l->ring, l->capacity * sizeof *l->ring);
    l->ring = bigger;
    l->capacity = new_capacity;
    l->head = 0;
    return true;
}

/* Take out of lane L of Q, locked, up to MAX oldest items into OUT
 * while it holds more than its share (BUDGET 0: while it holds any). */
static size_t
take_locked(struct quarantine *q, struct quarantine_lane *l, size_t budget,
            size_t blocks, struct quarantine_item *out, size_t max)
{
    size_t n = 0;
    while (n < max && l->count > 0 &&
           (budget == 0 || over_share(q, l, budget, blocks))) {
        out[n] = l->ring[l->head];
        l->head = (l->head + 1) & (l->capacity - 1);
        __atomic_store_n(&l->count, l->count - 1, __ATOMIC_RELAXED);
        __atomic_store_n(&l->bytes, l->bytes - out[n].bytes,
                         __ATOMIC_RELAXED);
        n++;
    }
    return n;
}

static uintptr_t
oldest(const struct quarantine_lane *l)
{
    return l->count > 0 ? l->ring[l->head].p : 0;
}

size_t
quarantine_add(struct quarantine *q, const struct quarantine_item *item,
               size_t budget, size_t blocks, struct quarantine_item *out,
               size_t max, uintptr_t *next)
{
    struct quarantine_lane *l = my_lane(q);
    spinlock_lock(&l->lock);
    if (l->count == l->capacity && !grow(l)) {
        spinlock_unlock(&l->lock);
        return QUARANTINE_NO_ROOM;
    }
    l->ring[(l->head + l->count) & (l->capacity - 1)] = *item;
    __atomic_store_n(&l->count, l->count + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&l->bytes, l->bytes + item->bytes, __ATOMIC_RELAXED);
    size_t n = take_locked(q, l, budget, blocks, out, max);
    *next = oldest(l);
    spinlock_unlock(&l->lock);
    return n;
}

size_t
quarantine_take(struct quarantine *q, size_t budget, size_t blocks,
                struct quarantine_item *out, size_t max, uintptr_t *next)
{
    *next = 0;
    if (budget != 0) {
        struct quarantine_lane *l = my_lane(q);
        spinlock_lock(&l->lock);
        size_t n = take_locked(q, l, budget, blocks, out, max);
        *next = oldest(l);
        spinlock_unlock(&l->lock);
        return n;
    }
    for (size_t i = 0; i < QUARANTINE_LANES; i++) {
        struct quarantine_lane *l = &q->lanes[i];
        spinlock_lock(&l->lock);
        size_t n = take_locked(q, l, 0, 0, out, max);
        spinlock_unlock(&l->lock);
        if (n)
            return n;
    }
    return 0;
}

void
quarantine_for_each(struct quarantine *q,
                    void (*fn)(const struct quarantine_item *, void *),
                    void *arg)
{
    for (size_t i = 0; i < QUARANTINE_LANES; i++) {
        struct quarantine_lane *l = &q->lanes[i];
        spinlock_lock(&l->lock);
        for (size_t j = 0; j < l->count; j++)
            fn(&l->ring[(l->head + j) & (l->capacity - 1)], arg);
        spinlock_unlock(&l->lock);
    }
}

void
quarantine_for_each_region(struct quarantine *q,
                           void (*fn)(uintptr_t, uintptr_t, void *),
                           void *arg)
{
    for (size_t i = 0; i < QUARANTINE_LANES; i++) {
        const struct quarantine_lane *l = &q->lanes[i];
        if (l->ring)
            fn((uintptr_t)l->ring, (uintptr_t)(l->ring + l->capacity), arg);
    }
}

size_t
quarantine_bytes(struct quarantine *q)
{
    size_t bytes = 0;
    for (size_t i = 0; i < QUARANTINE_LANES; i++) {
        struct quarantine_lane *l = &q->lanes[i];
        spinlock_lock(&l->lock);
        bytes += l->bytes;
        spinlock_unlock(&l->lock);
    }
    return bytes;
}

void
quarantine_lock_all(void)
{
    QUARANTINE_FOR_ALL(q)
    for (size_t i = 0; i < QUARANTINE_LANES; i++)
        spinlock_lock(&q->lanes[i].lock);
}

void
quarantine_unlock_all(void)
{
    QUARANTINE_FOR_ALL(q)
    for (size_t i = QUARANTINE_LANES; i-- > 0;)
        spinlock_unlock(&q->lanes[i].lock);
}

bool
quarantine_locks_free(void)
{
    QUARANTINE_FOR_ALL(q)
    for (size_t i = 0; i < QUARANTINE_LANES; i++)
        if (!spinlock_free_soon(&q->lanes[i].lock))
            return false;
    return true;
}
