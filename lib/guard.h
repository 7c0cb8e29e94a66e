/* SPDX-License-Identifier: MIT */
/*
 * guard.h -- which blocks get a guard page (--guard-pages): one in N per
 * thread, every block of a least size, or all, but never more at a time
 * than --guard-max allows, each such block being a mapping of its own
 * (and two regions for the kernel: the system's limit on mappings is
 * near 65530).
 */
#ifndef DEADBYTE_GUARD_H
#define DEADBYTE_GUARD_H

#include "options.h"
#include "registry.h"

#include <stddef.h>

/*
 * Whether the block of N bytes about to be made gets a guard page, and
 * where: BLOCK_GUARD_NONE, or a side, counted as one more guarded block
 * until guard_released().  When --guard-max is reached, says so once
 * on standard error and gives no more until some are released.
 */
enum block_guard guard_choose_slow(size_t n);

/* The blocks to go before the next one sampled (--guard-pages=sample:N)
 * in this thread; 0: not counting yet. */
extern __thread size_t guard_countdown
    __attribute__((tls_model("initial-exec")));

/* Inline: every malloc asks, and in the default mode the answer is no
 * for 4999 blocks in 5000, after one decrement. */
static inline enum block_guard
guard_choose(size_t n)
{
    if (options.guard_pages.mode == GUARD_SAMPLE && guard_countdown > 1) {
        guard_countdown--;
        return BLOCK_GUARD_NONE;
    }
    return guard_choose_slow(n);
}

/* A guarded block's pages are gone (or were never made). */
void guard_released(void);

/* How many blocks have guard pages now, live or in quarantine. */
size_t guard_count(void);

#endif
