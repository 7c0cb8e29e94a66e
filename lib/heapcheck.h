/* SPDX-License-Identifier: MIT */
/*
 * heapcheck.h -- whole-heap checks; deadbyte_check_heap() itself is
 * public (deadbyte.h).
 */
#ifndef DEADBYTE_HEAPCHECK_H
#define DEADBYTE_HEAPCHECK_H

#include "deadbyte.h"

#include <stdbool.h>
#include <stdint.h>

/* Count one allocator call; every --check-every calls, check the heap. */
void heapcheck_count_call(void);

/*
 * True in a child of fork until it allocates, frees or resizes a block:
 * until then its heap is its parent's, which the parent checks at its own
 * end, and the child's end (an exec, above all, as a shell's children do)
 * makes no check and no leak report of its own.  The hooks call
 * heapcheck_note_change() at every change: a load, and a store only once.
 */
extern bool heapcheck_child_untouched;
static inline void
heapcheck_note_change(void)
{
    if (__builtin_expect(
            __atomic_load_n(&heapcheck_child_untouched, __ATOMIC_RELAXED), 0))
        __atomic_store_n(&heapcheck_child_untouched, false, __ATOMIC_RELAXED);
}

/* How the process ends: exit (deadbyte's destructor), _exit or _Exit,
 * or replacing its image with exec. */
enum heapcheck_end { HEAPCHECK_EXIT, HEAPCHECK__EXIT, HEAPCHECK_EXEC };

/*
 * The final check: every live block's guards and every quarantined
 * block's fill; for an exit or _exit, also the leak report (this
 * thread's stack scanned from STACK_FROM up).  Made once
 * per process for an exit; before each exec.  A report made here ends
 * the process with status 134 instead of abort(): exit(134) after exit,
 * so that stdio is flushed; _exit(134) after _exit and before exec.
 */
void heapcheck_at_end(enum heapcheck_end how, uintptr_t stack_from);

#endif
