/* SPDX-License-Identifier: MIT */
/*
 * arenamap.c -- the radix tree that says which addresses are arena
 * memory (CPython's arena_map_*, Objects/obmalloc.c since 3.10).
 *
 * The 48 bits of a user-space address are split: 10 bits index the root,
 * 10 bits a "mid" node, 8 bits a "bot" (leaf) node, and the low 20 bits
 * are the offset inside a 1 MiB-aligned chunk.  An arena need not be
 * aligned, so it may cover the top of one chunk and the bottom of the
 * next: each leaf entry records both, as offsets -- tail_hi, where an
 * arena starting in this chunk begins (-1 for a whole, aligned arena),
 * and tail_lo, where an arena that started in the previous chunk ends.
 *
 * Nodes come from mmap, never from malloc (this runs inside malloc), and
 * are never freed, as in CPython: the tree is small.  Not thread-safe:
 * only the small-object allocator uses it, and its callers serialise.
 */
#include "config.h"

#include "arenamap.h"

#include <sys/mman.h>

#define TOP_INDEX(a)                                                           \
    (((a) >> (ARENAMAP_ADDRESS_BITS - ARENAMAP_TOP_BITS)) &                    \
     ((1u << ARENAMAP_TOP_BITS) - 1))
#define MID_INDEX(a)                                                           \
    (((a) >> (ARENAMAP_ARENA_BITS + ARENAMAP_BOT_BITS)) &                      \
     ((1u << ARENAMAP_MID_BITS) - 1))
#define BOT_INDEX(a)                                                           \
    (((a) >> ARENAMAP_ARENA_BITS) & ((1u << ARENAMAP_BOT_BITS) - 1))
#define CHUNK_OFFSET(a) ((int32_t)((a) & (ARENAMAP_ARENA_SIZE - 1)))

struct arenamap_mid *arenamap_root[1u << ARENAMAP_TOP_BITS];
static size_t mid_nodes, bot_nodes;

/*
 * Node memory: nodes are carved from 64 KiB mappings, since a leaf is
 * only 2 KiB and a mapping of its own would round it up to a page.
 * mmap'd memory is zeroed, which is what a fresh node must be.
 */
#define SLAB_SIZE (64 * 1024)
static unsigned char *slab;
static size_t slab_left;

static void *
node_alloc(size_t size)
{
    if (slab_left < size) {
        void *m = mmap(NULL, SLAB_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return NULL;
        slab = m;
        slab_left = SLAB_SIZE; /* the rest of the old slab is lost */
    }
    void *node = slab;
    slab += size;
    slab_left -= size;
    return node;
}

/* The leaf entry for the chunk holding A; with CREATE, make the nodes
 * on the way.  NULL if absent (or not creatable). */
static struct arenamap_coverage *
entry(uintptr_t a, bool create)
{
    struct arenamap_mid **m = &arenamap_root[TOP_INDEX(a)];
    if (!*m) {
        if (!create || !(*m = node_alloc(sizeof **m)))
            return NULL;
        mid_nodes++;
    }
    struct arenamap_bot **b = &(*m)->bots[MID_INDEX(a)];
    if (!*b) {
        if (!create || !(*b = node_alloc(sizeof **b)))
            return NULL;
        bot_nodes++;
    }
    return &(*b)->arenas[BOT_INDEX(a)];
}

bool
arenamap_mark(uintptr_t base, bool used)
{
    uintptr_t last = base + ARENAMAP_ARENA_SIZE - 1;
    if (last < base || (last >> ARENAMAP_ADDRESS_BITS) != 0)
        return false; /* outside the tree: the arena cannot be ours */
    struct arenamap_coverage *hi = entry(base, used);
    if (!hi)
        return false;
    int32_t tail = CHUNK_OFFSET(base);
    if (tail == 0) {
        hi->tail_hi = used ? -1 : 0;
        return true;
    }
    /* An unaligned arena also covers the bottom of the next chunk, which
     * may sit under other interior nodes: walk the tree again. */
    struct arenamap_coverage *lo = entry(base + ARENAMAP_ARENA_SIZE, used);
    if (!lo) {
        hi->tail_hi = 0;
        return false;
    }
    hi->tail_hi = used ? tail : 0;
    lo->tail_lo = used ? tail : 0;
    return true;
}

void
arenamap_get_counts(struct arenamap_counts *out)
{
    out->mid_nodes = mid_nodes;
    out->bot_nodes = bot_nodes;
    out->root_bytes = sizeof arenamap_root;
    out->mid_bytes = mid_nodes * sizeof(struct arenamap_mid);
    out->bot_bytes = bot_nodes * sizeof(struct arenamap_bot);
}
