/* SPDX-License-Identifier: MIT */
/*
 * quarantine.h -- freed blocks held back, first in first out, up to a
 * budget in bytes (--quarantine), so that a write through a stale pointer
 * lands in DEADBYTE-filled memory nobody else uses, where the check made
 * when the block leaves can see it.
 */
#ifndef DEADBYTE_QUARANTINE_H
#define DEADBYTE_QUARANTINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct quarantine_item {
    uintptr_t p; /* the freed block */
    void *ctx;   /* the struct hooks_ctx that will release it */
    size_t bytes; /* what it holds of the base allocator */
};

/* Hold back ITEM.  False if there was no room to hold it (mmap failed):
 * then release it at once. */
bool quarantine_add(const struct quarantine_item *item);

/* While the quarantine holds more than BUDGET bytes, take out the oldest
 * block into *OUT and return true; the caller checks and releases it.
 * BUDGET 0 takes out everything (at exit). */
bool quarantine_take(size_t budget, struct quarantine_item *out);

/* Call FN for every block in the quarantine, the quarantine locked. */
void quarantine_for_each(void (*fn)(const struct quarantine_item *, void *),
                         void *arg);

/* Call FN with the region of memory the quarantine itself uses. */
void quarantine_for_each_region(void (*fn)(uintptr_t start, uintptr_t end,
                                           void *arg),
                                void *arg);

/* Lock and unlock the quarantine around fork. */
void quarantine_lock(void);
void quarantine_unlock(void);

#endif
