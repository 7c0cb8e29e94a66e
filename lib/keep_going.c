/* SPDX-License-Identifier: MIT */
/*
 * keep_going.c -- the marks of the blocks reported under --keep-going
 * (keep_going.h): an open-addressing table of their addresses, probed
 * linearly, filled by compare-and-swap, never emptied: a marked block is
 * never given back, so its address never comes back as another block's.
 */
#include "config.h"

#include "keep_going.h"

#include "options.h"
#include "registry.h"

#include <stdatomic.h>
#include <stddef.h>

/* A power of two, a third more than the marks it takes: probes stay
 * short. */
#define SLOTS 16384

static _Atomic uintptr_t marks[SLOTS];
static atomic_size_t marked;
/* A report found no room for its mark: it ends the process. */
static atomic_bool full;

static size_t
slot_of(uintptr_t p)
{
    uint64_t h = (uint64_t)p * 0x9e3779b97f4a7c15u;
    return (size_t)(h >> 50) & (SLOTS - 1);
}

bool
keep_going_marked(uintptr_t p)
{
    if (atomic_load_explicit(&marked, memory_order_acquire) == 0 || p == 0)
        return false;
    for (size_t i = slot_of(p), n = 0; n < SLOTS; i = (i + 1) & (SLOTS - 1),
                n++) {
        uintptr_t at = atomic_load_explicit(&marks[i], memory_order_acquire);
        if (at == p)
            return true;
        if (at == 0)
            return false;
    }
    return false;
}

/* Mark P: true if this call did, false if it was marked already.  With
 * no room left, sets FULL and says to report. */
static bool
mark(uintptr_t p)
{
    if (atomic_load_explicit(&marked, memory_order_relaxed) >=
        KEEP_GOING_MAX_BLOCKS) {
        if (keep_going_marked(p))
            return false;
        atomic_store(&full, true);
        return true;
    }
    for (size_t i = slot_of(p), n = 0; n < SLOTS; i = (i + 1) & (SLOTS - 1),
                n++) {
        uintptr_t at = 0;
        if (atomic_compare_exchange_strong(&marks[i], &at, p)) {
            atomic_fetch_add(&marked, 1);
            return true;
        }
        if (at == p)
            return false;
    }
    atomic_store(&full, true);
    return true;
}

bool
keep_going_first(uintptr_t p)
{
    if (!options.keep_going)
        return true;
    if (!mark(p))
        return false;
    /* Live: it is the program's still, but neither the checks at exit
     * nor the leak report may see it again.  Freed (being released, or
     * in the quarantine) or unknown: nothing changes. */
    struct block_record record;
    registry_begin_free(p, 0, &record);
    return true;
}

bool
keep_going_continues(void)
{
    return options.keep_going && !atomic_load(&full);
}
