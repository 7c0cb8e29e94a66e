/* SPDX-License-Identifier: MIT */
/*
 * arenamap.h -- which addresses belong to the small-object allocator's
 * arenas: CPython 3.10's radix tree over the address bits (bpo-37448),
 * so that a free() can tell its own blocks from the C library's without
 * reading memory it does not own.
 */
#ifndef DEADBYTE_ARENAMAP_H
#define DEADBYTE_ARENAMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Arenas are 1 MiB (CPython's ARENA_BITS on 64-bit). */
#define ARENAMAP_ARENA_BITS 20
#define ARENAMAP_ARENA_SIZE ((size_t)1 << ARENAMAP_ARENA_BITS)

/*
 * Mark the arena of ARENAMAP_ARENA_SIZE bytes at BASE (any alignment) as
 * ours, or, USED false, as ours no longer.  False if a node of the tree
 * could not be mapped, or BASE lies outside the 48 bits of address the
 * tree covers: then the arena cannot be used.  Not thread-safe (the
 * small-object allocator's callers serialise).
 */
bool arenamap_mark(uintptr_t base, bool used);

/*
 * The tree (described in arenamap.c, which alone writes it), declared
 * here only so that the look-up below can be inline: it runs on every
 * free() and realloc().
 */
#define ARENAMAP_ADDRESS_BITS 48
#define ARENAMAP_TOP_BITS 10
#define ARENAMAP_MID_BITS 10
#define ARENAMAP_BOT_BITS                                                      \
    (ARENAMAP_ADDRESS_BITS - ARENAMAP_ARENA_BITS - ARENAMAP_TOP_BITS -         \
     ARENAMAP_MID_BITS)

struct arenamap_coverage {
    int32_t tail_hi;
    int32_t tail_lo;
};
struct arenamap_bot {
    struct arenamap_coverage arenas[1u << ARENAMAP_BOT_BITS];
};
struct arenamap_mid {
    struct arenamap_bot *bots[1u << ARENAMAP_MID_BITS];
};

/* Hidden, also at the declaration: then the look-up reaches it directly,
 * not through the GOT. */
__attribute__((visibility("hidden"))) extern struct arenamap_mid
    *arenamap_root[1u << ARENAMAP_TOP_BITS];

/* True if P lies in an arena marked used.  Reads only the tree. */
static inline bool
arenamap_owns(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    if (a >> ARENAMAP_ADDRESS_BITS)
        return false;
    const struct arenamap_mid *mid =
        arenamap_root[a >> (ARENAMAP_ADDRESS_BITS - ARENAMAP_TOP_BITS)];
    if (!mid)
        return false;
    const struct arenamap_bot *bot =
        mid->bots[(a >> (ARENAMAP_ARENA_BITS + ARENAMAP_BOT_BITS)) &
                  ((1u << ARENAMAP_MID_BITS) - 1)];
    if (!bot)
        return false;
    struct arenamap_coverage c = bot->arenas[(a >> ARENAMAP_ARENA_BITS) &
                                             ((1u << ARENAMAP_BOT_BITS) - 1)];
    int32_t tail = (int32_t)(a & (ARENAMAP_ARENA_SIZE - 1));
    return tail < c.tail_lo || (c.tail_hi != 0 && tail >= c.tail_hi);
}

/* The tree's size, for the statistics: interior (mid) and leaf (bot)
 * nodes, and the bytes of the root and of each kind of node. */
struct arenamap_counts {
    size_t mid_nodes, bot_nodes;
    size_t root_bytes, mid_bytes, bot_bytes;
};
void arenamap_get_counts(struct arenamap_counts *out);

#endif
