/* SPDX-License-Identifier: MIT */
/*
 * traces.h -- where blocks are allocated and freed: call stacks captured
 * with libunwind, interned (each distinct stack stored once, in memory
 * from mmap), named by a 32-bit id.  Id 0 means "no traceback".
 */
#ifndef DEADBYTE_TRACES_H
#define DEADBYTE_TRACES_H

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

/*
 * The stack of the calling thread, without deadbyte's own frames, at most
 * options.frames deep, interned; 0 when capture is off (--frames 0), when
 * this thread is already capturing (libunwind or the loader allocating
 * from inside a capture), or when the trace store is full.
 */
uint32_t traces_capture(void);

/*
 * The frames of trace ID: stores up to MAX return addresses (most recent
 * first) in FRAMES and returns how many.  0 for id 0 or an unknown id.
 * Lock-free and async-signal-safe: reports call it.
 */
size_t traces_get(uint32_t id, uintptr_t *frames, size_t max);

/* Call FN with each region of memory the trace store itself uses. */
void traces_for_each_region(void (*fn)(uintptr_t start, uintptr_t end,
                                       void *arg),
                            void *arg);

#endif
