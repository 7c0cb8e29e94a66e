/* SPDX-License-Identifier: MIT */
/*
 * lockcheck.c -- deadbyte_set_lock_check() and the check the debug hooks
 * make with it before every mem and obj call: the program's lock must be
 * held, as CPython's hooks require the GIL, because the small-object
 * allocator under those domains is not thread-safe.  A call without the
 * lock is a fatal error, reported at once -- the race it would cause
 * shows up much later, if ever, as a corrupt free list.
 *
 * The report is written with write(2) from the stack: no malloc, no
 * stdio (the call came from inside the allocator).
 */
#include "config.h"

#include "lockcheck.h"

#include "deadbyte.h"
#include "fmt.h"
#include "frames.h"
#include "report.h"
#include "traces.h"
#include "writer_words.h"

#include <stdlib.h>

/* Set before the domains are used, read on every call: plain variables,
 * as the domains' allocators are (not synchronised, documented). */
static int (*lock_held)(void *ctx);
static void *lock_ctx;

void
deadbyte_set_lock_check(int (*held)(void *ctx), void *ctx)
{
    lock_held = held;
    lock_ctx = ctx;
}

HOOK_PATH static void
report_unlocked(const char *func)
{
    uint32_t trace = traces_capture();
    struct writer w;
    report_begin(&w, RECORD_LOCK_NOT_HELD, func,
                 "called without holding the lock");
    traces_put(&w, "call", "Called at", trace);
    writer_say_unlocked(&w, func);
    writer_fatal(&w, func, "called without holding the lock", NULL);
    report_end(&w);
}

HOOK_PATH void
lockcheck_require(const char *func)
{
    int (*held)(void *) = lock_held;
    if (held && !held(lock_ctx))
        report_unlocked(func);
}
