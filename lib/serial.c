/* SPDX-License-Identifier: MIT */
/*
 * serial.c -- one process-wide counter of blocks handed out, moved only by
 * deadbyte_serialno_bump() so that a debugger has a single place to stop
 * at when block N is made (CPython's bumpserialno()).  Unlike CPython's,
 * the counter is atomic: threads never get the same number twice.
 */
#include "config.h"

#include "serial.h"

#include <stdatomic.h>

static atomic_size_t serialno;

DEADBYTE_NOINLINE size_t
deadbyte_serialno_bump(void)
{
    size_t serial =
        atomic_fetch_add_explicit(&serialno, 1, memory_order_relaxed) + 1;
    /* Keep the call, and so the breakpoint spot, even in LTO builds. */
    __asm__ volatile("" ::: "memory");
    return serial;
}

size_t
deadbyte_get_serialno(void)
{
    return atomic_load_explicit(&serialno, memory_order_relaxed);
}
