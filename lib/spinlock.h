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

#endif
