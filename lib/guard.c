/* SPDX-License-Identifier: MIT */
/*
 * guard.c -- the choice of the blocks that get a guard page.
 *
 * Sampling counts down per thread, so that it costs one thread-local
 * decrement and takes no lock: with several threads, the blocks chosen
 * differ from run to run, as they would with random sampling (GWP-ASan's
 * model), and a single-threaded program guards the same blocks each run,
 * which a user chasing a bug can count on.
 */
#include "config.h"

#include "guard.h"

#include "options.h"
#include "writer_words.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

static atomic_size_t guarded;
static atomic_bool told_full;

__thread size_t guard_countdown __attribute__((tls_model("initial-exec")));

/* Is the block of N bytes chosen by the mode? */
static bool
chosen(size_t n)
{
    switch (options.guard_pages.mode) {
    case GUARD_NO:
        return false;
    case GUARD_ALL:
        return true;
    case GUARD_SIZE:
        return n >= options.guard_pages.n;
    case GUARD_SAMPLE:
        if (guard_countdown == 0) {
            /* A new thread starts half way, so that threads that make a
             * few blocks each still have some guarded. */
            guard_countdown = options.guard_pages.n / 2 + 1;
        }
        if (--guard_countdown != 0)
            return false;
        guard_countdown = options.guard_pages.n;
        return true;
    }
    return false;
}

static void
tell_full(void)
{
    if (atomic_exchange(&told_full, true))
        return;
    struct writer w;
    writer_open(&w, RECORD_NOTE);
    writer_say_guard_full(&w, options.guard_max);
    writer_close(&w);
}

enum block_guard
guard_choose_slow(size_t n)
{
    if (__builtin_expect(options.guard_pages.mode == GUARD_NO, 0) ||
        !chosen(n))
        return BLOCK_GUARD_NONE;
    if (atomic_fetch_add_explicit(&guarded, 1, memory_order_relaxed) >=
        options.guard_max) {
        atomic_fetch_sub_explicit(&guarded, 1, memory_order_relaxed);
        tell_full();
        return BLOCK_GUARD_NONE;
    }
    return options.guard_pages.underflow ? BLOCK_GUARD_BEFORE
                                         : BLOCK_GUARD_AFTER;
}

void
guard_released(void)
{
    atomic_fetch_sub_explicit(&guarded, 1, memory_order_relaxed);
}

size_t
guard_count(void)
{
    return atomic_load_explicit(&guarded, memory_order_relaxed);
}
