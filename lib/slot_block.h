/* SPDX-License-Identifier: MIT */
/*
 * slot_block.h -- where the block in a slot of deadbyte's heap is, from
 * the slot's record alone (heap.h): the registry's records of heap
 * blocks, and the checked C library calls' fast look-up, read it the
 * same way.
 */
#ifndef DEADBYTE_SLOT_BLOCK_H
#define DEADBYTE_SLOT_BLOCK_H

#include "block.h"
#include "heap.h"

#include <stddef.h>
#include <stdint.h>

/* The requested size of the block in SLOT. */
static inline __attribute__((always_inline)) size_t
slot_block_size(const struct heap_slot *slot)
{
    const struct heap_meta *m = slot->meta;
    return m->size == HEAP_SIZE_IN_SPAN && slot->large_size ? *slot->large_size
                                                           : m->size;
}

/* The data pointer of the block in SLOT: its base is the slot's start
 * rounded up to the block's offset, a power of two (heap.h); a block
 * with a guard page has its slot's pages to itself, and its data ends
 * at their end, or starts at their start. */
static inline __attribute__((always_inline)) uintptr_t
slot_block_data(const struct heap_slot *slot)
{
    const struct heap_meta *m = slot->meta;
    if (__builtin_expect(m->guard != BLOCK_GUARD_NONE, 0))
        return m->guard == BLOCK_GUARD_BEFORE
                   ? slot->start
                   : block_guarded_data(slot->start + slot->size,
                                        slot_block_size(slot));
    uintptr_t offset = (uintptr_t)1 << m->offset_log2;
    return ((slot->start + offset - 1) & ~(offset - 1)) + offset;
}

#endif
