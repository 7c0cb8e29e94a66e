/* SPDX-License-Identifier: MIT */
/*
 * lifecycle.h -- the one owner of deadbyte's start, fork and end in a
 * process: the once-init of the options, the allocator mode and the
 * statistics; the fork handlers; the checks after an allocator call
 * (--check-every); and the sequence at the end (exit, _exit, exec).
 *
 * Dependencies point one way: the entry points (the preload library,
 * the domain functions, deadbyte_track) call down into the lifecycle,
 * which calls down into the domains, the checks (heapcheck.h, leaks.h),
 * the statistics (stats.h) and the hooks' counters (hooks.h); nothing
 * below calls back up.
 */
#ifndef DEADBYTE_LIFECYCLE_H
#define DEADBYTE_LIFECYCLE_H

#include "options.h"

#include <stdatomic.h>
#include <stdint.h>

/* ---- Start ------------------------------------------------------------ */

void lifecycle_start_slow(void);
extern atomic_int lifecycle_state; /* 2 once started */

/*
 * Start, once: read the options, apply the allocator mode to the domains
 * (modes.h), and have the statistics printed at each new arena if asked
 * (stats.h), before the first domain call is dispatched.  Called first by
 * every entry point, and by a constructor at load; later calls are one
 * load.  Threads racing to be first wait for the winner (a few stores:
 * it never blocks).
 */
static inline void
lifecycle_start(void)
{
    if (__builtin_expect(
            atomic_load_explicit(&lifecycle_state, memory_order_acquire) != 2,
            0))
        lifecycle_start_slow();
}

/* ---- Fork ------------------------------------------------------------- */

/*
 * Run FN in the child after each fork, after deadbyte's tables are
 * unlocked (at most a few: the preload library's own).  The handlers
 * are registered once, by the constructor: pthread_atfork may allocate.
 */
void lifecycle_at_fork_child(void (*fn)(void));

/* ---- After an allocator call ------------------------------------------ */

void lifecycle_check_due(void);

/*
 * An entry point's last act, a call of the debug hooks, and after it,
 * with --check-every N, a check of the heap for each N calls the hooks
 * counted (hooks_unchecked_calls; the check keeps errno).  Without
 * --check-every the call stays a tail call: the entry point's frame is
 * gone from the stack that every allocation walks.
 */
#define LIFECYCLE_RETURN(call)                                                 \
    do {                                                                       \
        if (__builtin_expect(options.check_every == 0, 1))                     \
            return call;                                                       \
        __typeof__(call) lifecycle_result_ = call;                             \
        lifecycle_check_due();                                                 \
        return lifecycle_result_;                                              \
    } while (0)
#define LIFECYCLE_RETURN_VOID(call)                                            \
    do {                                                                       \
        if (__builtin_expect(options.check_every == 0, 1)) {                   \
            call;                                                              \
            return;                                                            \
        }                                                                      \
        call;                                                                  \
        lifecycle_check_due();                                                 \
    } while (0)

/* ---- End -------------------------------------------------------------- */

/* How the process ends: exit (deadbyte's destructor), _exit or _Exit,
 * or replacing its image with exec. */
enum lifecycle_end { LIFECYCLE_EXIT, LIFECYCLE__EXIT, LIFECYCLE_EXEC };

/*
 * The end of the process, in order: the statistics (DEADBYTE_MALLOCSTATS),
 * the exit check (every live block's guards and every quarantined
 * block's fill), and for an exit or _exit the leak scan (this thread's
 * stack scanned from STACK_FROM up).  Made once per process for an exit;
 * before each exec.  A report made here ends the process with status
 * 134 instead of abort(): exit(134) after exit, so that stdio is flushed;
 * _exit(134) after _exit and before exec.
 */
void lifecycle_at_exit(enum lifecycle_end how, uintptr_t stack_from);

#endif
