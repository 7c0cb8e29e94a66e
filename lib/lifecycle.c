/* SPDX-License-Identifier: MIT */
/*
 * lifecycle.c -- deadbyte's start, fork handlers and end (lifecycle.h).
 * The start may come before any constructor (the first call of an entry
 * point); the end from exit (the destructor below), _exit or an exec
 * (preload_exit.c), or a signal handler calling one of them.
 */
#include "config.h"

#include "lifecycle.h"

#include "heapcheck.h"
#include "hooks.h"
#include "leaks.h"
#include "modes.h"
#include "options.h"
#include "quarantine.h"
#include "registry.h"
#include "report.h"
#include "stats.h"
#include "traces.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* ---- Start ------------------------------------------------------------ */

/* 0: not started, 1: being started by some thread, 2: done. */
atomic_int lifecycle_state;

void
lifecycle_start_slow(void)
{
    int expected = 0;
    if (atomic_compare_exchange_strong(&lifecycle_state, &expected, 1)) {
        options_init();
        modes_init();
        stats_init(); /* before the first arena */
        atomic_store_explicit(&lifecycle_state, 2, memory_order_release);
        return;
    }
    /* Another thread is starting: a few stores, it never blocks. */
    while (atomic_load_explicit(&lifecycle_state, memory_order_acquire) != 2)
        ;
}

/* ---- Fork ------------------------------------------------------------- */

/* What the child runs after deadbyte's own handler (lifecycle.h). */
#define FORK_CHILD_HOOKS 4
static void (*_Atomic fork_child_hooks[FORK_CHILD_HOOKS])(void);

void
lifecycle_at_fork_child(void (*fn)(void))
{
    for (size_t i = 0; i < FORK_CHILD_HOOKS; i++) {
        void (*none)(void) = NULL;
        if (atomic_compare_exchange_strong(&fork_child_hooks[i], &none, fn) ||
            none == fn)
            return;
    }
}

/* Set once the process has made its final check, so that an _exit
 * from a destructor that runs after ours does not make it twice. */
static atomic_flag final_check_made = ATOMIC_FLAG_INIT;

/* Fork: no table may be half-changed in the child. */
static void
before_fork(void)
{
    quarantine_lock_all();
    registry_lock_all();
    traces_lock();
}

static void
after_fork(void)
{
    traces_unlock();
    registry_unlock_all();
    quarantine_unlock_all();
}

static void
after_fork_in_child(void)
{
    hooks_note_fork_child();
    traces_unlock();
    registry_unlock_all_in_child();
    quarantine_unlock_all();
    atomic_flag_clear(&final_check_made); /* the child ends on its own */
    for (size_t i = 0; i < FORK_CHILD_HOOKS; i++) {
        void (*fn)(void) = atomic_load(&fork_child_hooks[i]);
        if (fn)
            fn();
    }
}

/* At load: start (a bad DEADBYTE_* value is reported even by a program
 * that never allocates through deadbyte, and the mode is applied before
 * the program can set allocators), and be safe across fork. */
__attribute__((constructor)) static void
lifecycle_at_load(void)
{
    lifecycle_start();
    pthread_atfork(before_fork, after_fork, after_fork_in_child);
}

/* ---- After an allocator call ------------------------------------------ */

HOOK_PATH void
lifecycle_check_due(void)
{
    size_t every = options.check_every;
    size_t calls =
        atomic_load_explicit(&hooks_unchecked_calls, memory_order_relaxed);
    while (every && calls >= every) {
        /* This thread takes N calls off, and checks for them. */
        if (!atomic_compare_exchange_weak_explicit(
                &hooks_unchecked_calls, &calls, calls - every,
                memory_order_relaxed, memory_order_relaxed))
            continue;
        int saved_errno = errno;
        deadbyte_check_heap();
        errno = saved_errno;
        calls = atomic_load_explicit(&hooks_unchecked_calls,
                                     memory_order_relaxed);
    }
}

/* ---- End -------------------------------------------------------------- */

HOOK_PATH void
lifecycle_at_exit(enum lifecycle_end how, uintptr_t stack_from)
{
    /* A SIGABRT handler that ends the process (_exit, exit, exec) after a
     * report, or the child it forks to exec a crash reporter: that report
     * stands.  A check would find the same damage again, and call it a
     * second error or report it once more. */
    if (report_begun())
        return;
    if (how != LIFECYCLE_EXEC &&
        atomic_flag_test_and_set(&final_check_made))
        return;
    if (!heapcheck_may_check_now(how == LIFECYCLE_EXEC   ? "exec"
                                 : how == LIFECYCLE_EXIT ? "exit"
                                                         : "_exit"))
        return;
    report_set_ending(how == LIFECYCLE_EXIT ? REPORT_EXIT : REPORT__EXIT);
    if (how != LIFECYCLE_EXEC)
        stats_at_exit();
    if (hooks_untouched_since_fork()) {
        report_set_ending(REPORT_ABORT);
        return; /* the parent's heap, which the parent checks */
    }
    deadbyte_check_heap();
    /* An exec that fails returns to a program that goes on: no leak
     * report then (LeakSanitizer makes none at exec either). */
    if (how != LIFECYCLE_EXEC)
        leaks_check(stack_from);
    /* The quarantine was checked above; its blocks are not given back to
     * the C library: exit too may be called from a signal handler that
     * interrupted the C library's allocator, whose heap a free then
     * corrupts (glibc aborted: "corrupted size vs. prev_size"). */
    report_set_ending(REPORT_ABORT);
}

/* At exit: every live block's guards, then every quarantined block. */
__attribute__((destructor)) HOOK_PATH static void
lifecycle_at_destructor(void)
{
    /* The program has returned from main: what this function's callers
     * hold on the stack is all it can still reach. */
    lifecycle_at_exit(LIFECYCLE_EXIT, (uintptr_t)__builtin_frame_address(0));
}
