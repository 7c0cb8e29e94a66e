/* SPDX-License-Identifier: MIT */
/*
 * serial.c -- the serial numbers of blocks handed out, taken only by
 * deadbyte_serialno_bump() so that a debugger has a single place to stop
 * at when block N is made (CPython's bumpserialno()).  Unlike CPython's,
 * they are unique across threads.
 *
 * While one thread alone has taken numbers, it takes them one by one
 * from the process-wide counter: blocks are numbered 1, 2, 3, ..., the
 * same in every run, and the counter is the last number handed out.
 * Once a second thread takes one, every thread takes numbers from a run
 * of SERIAL_RUN it reserves with one atomic add: with an atomic add per
 * block, two allocating threads passed the counter's cache line back and
 * forth at every malloc.  Numbers stay unique (every one comes from an
 * atomic add on the counter), but no longer follow the order in which
 * blocks were made, and the counter is then the last number reserved.
 */
#include "config.h"

#include "serial.h"

#include <stdatomic.h>
#include <stdbool.h>

#define SERIAL_RUN 64

/* The last number handed out (one thread) or reserved (several). */
static atomic_size_t serialno;
/* Something unique to the first thread that took a number: the address
 * of its next_serial. */
static _Atomic(const void *) first_thread;
/* Set once a second thread has taken a number. */
static atomic_bool threaded;

/* The calling thread's next number and the end of its run (next == end:
 * none left).  Initial-exec: the general-dynamic model may allocate. */
static __thread size_t next_serial __attribute__((tls_model("initial-exec")));
static __thread size_t run_end __attribute__((tls_model("initial-exec")));

/* True while the calling thread is the only one to have taken numbers. */
static bool
alone(void)
{
    if (atomic_load_explicit(&threaded, memory_order_relaxed))
        return false;
    /* A plain load first: a compare-and-swap at every block would write
     * to the line. */
    const void *me = &next_serial;
    const void *first =
        atomic_load_explicit(&first_thread, memory_order_relaxed);
    if (!first && atomic_compare_exchange_strong(&first_thread, &first, me))
        return true;
    if (first == me)
        return true;
    atomic_store_explicit(&threaded, true, memory_order_relaxed);
    return false;
}

DEADBYTE_NOINLINE size_t
deadbyte_serialno_bump(void)
{
    size_t serial;
    if (next_serial != run_end) {
        serial = next_serial++;
    } else if (alone()) {
        serial = atomic_fetch_add_explicit(&serialno, 1,
                                           memory_order_relaxed) + 1;
    } else {
        serial = atomic_fetch_add_explicit(&serialno, SERIAL_RUN,
                                           memory_order_relaxed) + 1;
        next_serial = serial + 1;
        run_end = serial + SERIAL_RUN;
    }
    /* Keep the call, and so the breakpoint spot, even in LTO builds. */
    __asm__ volatile("" ::: "memory");
    return serial;
}

size_t
deadbyte_get_serialno(void)
{
    return atomic_load_explicit(&serialno, memory_order_relaxed);
}
