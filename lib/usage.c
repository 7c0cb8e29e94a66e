/* SPDX-License-Identifier: MIT */
/*
 * usage.c -- live and peak counts of the debug hooks' blocks, batched per
 * thread (why: usage.h).  No lock: relaxed atomics for the totals, a CAS
 * loop for the peaks.
 */
#include "config.h"

#include "usage.h"

#include <stdatomic.h>

#define BLOCK_BATCH 256

/* A thread's changes since its last flush, and the highest each sum
 * reached on the way: added to the total at the flush, that high point
 * is what the total was at its peak, if no other thread moved meanwhile. */
struct tally {
    long blocks, bytes;
    long high_blocks, high_bytes;
};

static __thread struct tally mine __attribute__((tls_model("initial-exec")));
static atomic_long total_blocks, total_bytes;
static atomic_size_t peak_blocks_seen, peak_bytes_seen;

static void
raise_peak(atomic_size_t *peak, long now)
{
    if (now <= 0)
        return;
    size_t seen = atomic_load_explicit(peak, memory_order_relaxed);
    while ((size_t)now > seen &&
           !atomic_compare_exchange_weak_explicit(peak, &seen, (size_t)now,
                                                  memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
}

/* Add this thread's tally to the totals; a rise may be a new peak. */
static void
flush(void)
{
    long blocks = atomic_fetch_add_explicit(&total_blocks, mine.blocks,
                                            memory_order_relaxed);
    long bytes = atomic_fetch_add_explicit(&total_bytes, mine.bytes,
                                           memory_order_relaxed);
    raise_peak(&peak_blocks_seen, blocks + mine.high_blocks);
    raise_peak(&peak_bytes_seen, bytes + mine.high_bytes);
    mine = (struct tally){0, 0, 0, 0};
}

void
usage_count(int sign, size_t size)
{
    mine.blocks += sign;
    mine.bytes += sign * (long)size;
    if (mine.blocks > mine.high_blocks)
        mine.high_blocks = mine.blocks;
    if (mine.bytes > mine.high_bytes)
        mine.high_bytes = mine.bytes;
    if (mine.bytes >= USAGE_BATCH || mine.bytes <= -USAGE_BATCH ||
        mine.blocks >= BLOCK_BATCH || mine.blocks <= -BLOCK_BATCH)
        flush();
}

void
usage_peaks(size_t *peak_blocks, size_t *peak_bytes)
{
    flush();
    *peak_blocks = atomic_load_explicit(&peak_blocks_seen, memory_order_relaxed);
    *peak_bytes = atomic_load_explicit(&peak_bytes_seen, memory_order_relaxed);
}
