/* SPDX-License-Identifier: MIT */
/*
 * traces.h -- where blocks are allocated and freed: call stacks captured
 * with libunwind, interned (each distinct stack stored once, in memory
 * from mmap), named by a 32-bit id.  Id 0 means "no traceback"; the ids
 * below TRACES_FIRST_ID say why a stack could not be kept.
 */
#ifndef DEADBYTE_TRACES_H
#define DEADBYTE_TRACES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Functions on the path from the program's call to the capture are put
 * in this section, so that a captured stack can drop them exactly,
 * however the compiler inlined them.
 */
#define HOOK_PATH __attribute__((section("deadbyte_hook_path"), noinline))

/* The deepest stack kept (--frames is clamped to it). */
#define TRACES_MAX_FRAMES 64

/* Ids that stand for a stack not kept, and why; a report says so. */
enum traces_missing {
    TRACES_NONE = 0,      /* none asked for: --frames 0, or no call */
    TRACES_BUSY = 1,      /* this thread was capturing already (libunwind
                             or the loader allocating inside a capture) */
    TRACES_NO_FRAMES = 2, /* libunwind found no frame above deadbyte's */
    TRACES_NO_MEMORY = 3, /* mmap failed for the trace store or table */
    TRACES_FULL = 4,      /* the store has given out every id */
    TRACES_FIRST_ID = 8,  /* the first id of a stored stack */
};

/*
 * The stack of the calling thread, without deadbyte's own frames, at most
 * options.frames deep, interned: its id, or one of enum traces_missing.
 */
uint32_t traces_capture(void);

/*
 * The stack of a thread stopped by a signal, from UCONTEXT (the third
 * argument of an SA_SIGINFO handler, a ucontext_t): its first frame is
 * the instruction that was interrupted (the faulting one, for a fault),
 * then the return addresses of its callers; at most options.frames,
 * interned as traces_capture() does.  For a signal handler: it takes
 * no lock but the store's, for a stack never seen before, and a signal
 * that interrupted a capture of its own thread (which may hold it) gets
 * TRACES_BUSY.
 */
uint32_t traces_capture_context(const void *ucontext);

/* Whether the first frame of trace ID is the address of the instruction
 * that faulted (traces_capture_context), not a return address. */
bool traces_from_fault(uint32_t id);

/*
 * The frames of trace ID: stores up to MAX return addresses (most recent
 * first) in FRAMES and returns how many.  0 for an id below
 * TRACES_FIRST_ID or an unknown id.  Lock-free and async-signal-safe:
 * reports call it.
 */
size_t traces_get(uint32_t id, uintptr_t *frames, size_t max);

/*
 * How traces_capture() gets the calling thread's stacks, for tests and
 * measurements: the default (memo, else walk, else libunwind), the walk
 * without memos, or unw_backtrace() alone.  All three give the same ids.
 */
enum traces_method {
    TRACES_METHOD_AUTO = 0,
    TRACES_METHOD_WALK,
    TRACES_METHOD_LIBUNWIND,
};
void traces_set_method(enum traces_method how);

/* How the calling thread's captures were made, since it started. */
struct traces_counts {
    uint64_t memo;      /* a recorded walk still held */
    uint64_t walked;    /* walked with the rules of the return addresses */
    uint64_t libunwind; /* by unw_backtrace() */
};
void traces_get_counts(struct traces_counts *out);

/* False once a walk gave other frames than unw_backtrace() (or off
 * x86-64): captures then all go through unw_backtrace(). */
bool traces_walk_trusted(void);

/* Call FN with each region of memory the trace store itself uses. */
void traces_for_each_region(void (*fn)(uintptr_t start, uintptr_t end,
                                       void *arg),
                            void *arg);

/* Take the lock of new stacks (before fork) and release it (after, on
 * both sides), so that a child never inherits a table half-grown. */
void traces_lock(void);
void traces_unlock(void);

/*
 * The traceback ID as an item of the record W writes (frames.h), with
 * ROLE and TITLE: its frames, or why it has none.
 */
struct writer;
void traces_put(struct writer *w, const char *role, const char *title,
                uint32_t id);

#endif
