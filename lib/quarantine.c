/* SPDX-License-Identifier: MIT */
/*
 * quarantine.c -- a ring buffer of freed blocks behind one spinlock; it
 * grows by doubling into memory from mmap.  The blocks' bytes are checked
 * by the caller, outside the lock.
 */
#include "config.h"

#include "quarantine.h"

#include "spinlock.h"

#include <string.h>
#include <sys/mman.h>

static struct spinlock lock;
static struct quarantine_item *ring;
static size_t capacity; /* a power of two */
static size_t head;     /* oldest */
static size_t count;
static size_t bytes;

static bool
grow(void)
{
    size_t new_capacity = capacity ? 2 * capacity : 4096;
    struct quarantine_item *bigger =
        mmap(NULL, new_capacity * sizeof *ring, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (bigger == MAP_FAILED)
        return false;
    for (size_t i = 0; i < count; i++)
        bigger[i] = ring[(head + i) & (capacity - 1)];
    if (ring)
        munmap(ring, capacity * sizeof *ring);
    ring = bigger;
    capacity = new_capacity;
    head = 0;
    return true;
}

bool
quarantine_add(const struct quarantine_item *item)
{
    spinlock_lock(&lock);
    bool ok = count < capacity || grow();
    if (ok) {
        ring[(head + count) & (capacity - 1)] = *item;
        count++;
        bytes += item->bytes;
    }
    spinlock_unlock(&lock);
    return ok;
}

bool
quarantine_take(size_t budget, struct quarantine_item *out)
{
    spinlock_lock(&lock);
    bool took = count > 0 && (budget == 0 || bytes > budget);
    if (took) {
        *out = ring[head];
        head = (head + 1) & (capacity - 1);
        count--;
        bytes -= out->bytes;
    }
    spinlock_unlock(&lock);
    return took;
}

void
quarantine_for_each(void (*fn)(const struct quarantine_item *, void *),
                    void *arg)
{
    spinlock_lock(&lock);
    for (size_t i = 0; i < count; i++)
        fn(&ring[(head + i) & (capacity - 1)], arg);
    spinlock_unlock(&lock);
}

void
quarantine_for_each_region(void (*fn)(uintptr_t, uintptr_t, void *),
                           void *arg)
{
    if (ring)
        fn((uintptr_t)ring, (uintptr_t)(ring + capacity), arg);
}

void
quarantine_lock(void)
{
    spinlock_lock(&lock);
}

void
quarantine_unlock(void)
{
    spinlock_unlock(&lock);
}
