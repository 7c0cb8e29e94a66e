/* SPDX-License-Identifier: MIT */
/*
 * spinlock.h -- the lock of deadbyte's own tables.  A pthread mutex could
 * do, but a spinlock needs no initialisation (the tables are used before
 * any constructor runs), holds no kernel object, and its critical
 * sections here are a few hundred instructions.  After a short spin it
 * yields the CPU, so a holder that was preempted gets to finish.
 */
#ifndef DEADBYTE_SPINLOCK_H
#define DEADBYTE_SPINLOCK_H

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

struct spinlock {
    atomic_flag held;
};

static inline void
spinlock_lock(struct spinlock *lock)
{
    unsigned spins = 0;
    while (atomic_flag_test_and_set_explicit(&lock->held,
                                             memory_order_acquire)) {
        if (++spins > 64) {
            sched_yield();
            spins = 0;
        } else {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        }
    }
}

static inline void
spinlock_unlock(struct spinlock *lock)
{
    atomic_flag_clear_explicit(&lock->held, memory_order_release);
}

/*
 * Whether LOCK is let go of within about half a second (taken and
 * released at once to see).  No: its holder is stuck, or is this very
 * thread, which a signal handler interrupted while it held the lock;
 * taking it would then hang for ever.  Other holders keep it for
 * microseconds.
 */
static inline bool
spinlock_free_soon(struct spinlock *lock)
{
    for (unsigned tries = 0; tries < 500; tries++) {
        if (!atomic_flag_test_and_set_explicit(&lock->held,
                                               memory_order_acquire)) {
            spinlock_unlock(lock);
            return true;
        }
        struct timespec a_millisecond = {0, 1000 * 1000};
        nanosleep(&a_millisecond, NULL);
    }
    return false;
}

#endif
