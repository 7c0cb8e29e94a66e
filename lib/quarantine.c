/* SPDX-License-Identifier: MIT */
/*
 * quarantine.c -- ring buffers of freed blocks, each behind a spinlock;
 * a ring grows by doubling into memory from mmap.  The blocks' bytes are
 * checked by the caller, outside the lock.
 */
#include "config.h"

#include "quarantine.h"

#include <string.h>
#include <sys/mman.h>

struct quarantine quarantine_shared;
struct quarantine quarantine_domains;

static bool
grow(struct quarantine *q)
{
    size_t new_capacity = q->capacity ? 2 * q->capacity : 4096;
    struct quarantine_item *bigger =
        mmap(NULL, new_capacity * sizeof *q->ring, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (bigger == MAP_FAILED)
        return false;
    for (size_t i = 0; i < q->count; i++)
        bigger[i] = q->ring[(q->head + i) & (q->capacity - 1)];
    if (q->ring)
        munmap(q->ring, q->capacity * sizeof *q->ring);
    q->ring = bigger;
    q->capacity = new_capacity;
    q->head = 0;
    return true;
}

bool
quarantine_add(struct quarantine *q, const struct quarantine_item *item)
{
    spinlock_lock(&q->lock);
    bool ok = q->count < q->capacity || grow(q);
    if (ok) {
        q->ring[(q->head + q->count) & (q->capacity - 1)] = *item;
        q->count++;
        q->bytes += item->bytes;
    }
    spinlock_unlock(&q->lock);
    return ok;
}

bool
quarantine_take(struct quarantine *q, size_t budget,
                struct quarantine_item *out)
{
    spinlock_lock(&q->lock);
    bool took = q->count > 0 && (budget == 0 || q->bytes > budget);
    if (took) {
        *out = q->ring[q->head];
        q->head = (q->head + 1) & (q->capacity - 1);
        q->count--;
        q->bytes -= out->bytes;
    }
    spinlock_unlock(&q->lock);
    return took;
}

void
quarantine_for_each(struct quarantine *q,
                    void (*fn)(const struct quarantine_item *, void *),
                    void *arg)
{
    spinlock_lock(&q->lock);
    for (size_t i = 0; i < q->count; i++)
        fn(&q->ring[(q->head + i) & (q->capacity - 1)], arg);
    spinlock_unlock(&q->lock);
}

void
quarantine_for_each_region(struct quarantine *q,
                           void (*fn)(uintptr_t, uintptr_t, void *),
                           void *arg)
{
    if (q->ring)
        fn((uintptr_t)q->ring, (uintptr_t)(q->ring + q->capacity), arg);
}

size_t
quarantine_bytes(struct quarantine *q)
{
    spinlock_lock(&q->lock);
    size_t bytes = q->bytes;
    spinlock_unlock(&q->lock);
    return bytes;
}

void
quarantine_lock_all(void)
{
    QUARANTINE_FOR_ALL(q)
    spinlock_lock(&q->lock);
}

void
quarantine_unlock_all(void)
{
    QUARANTINE_FOR_ALL(q)
    spinlock_unlock(&q->lock);
}
