/* SPDX-License-Identifier: MIT */
/*
 * preload.h -- what preload.c (the C library's allocator functions) shares
 * with preload_new.c (C++ operator new and delete).
 */
#ifndef DEADBYTE_PRELOAD_H
#define DEADBYTE_PRELOAD_H

#include "hooks.h"
#include "traces.h"

#include <stdatomic.h>
#include <stdbool.h>

/* Interposed entry points are exported; everything else stays hidden.
 * They are on the hook path: tracebacks start at their callers. */
#define PRELOAD_API __attribute__((visibility("default"))) HOOK_PATH

/* The hooks for malloc & co. ('r'), new ('n') and new[] ('a'), all over
 * the C library's allocator. */
extern struct hooks_ctx preload_malloc_ctx;
extern struct hooks_ctx preload_new_ctx;
extern struct hooks_ctx preload_new_array_ctx;

/* If the program's malloc family is not ours (it defines its own), say
 * so in one line where reports go (preload_own_malloc.c). */
void preload_check_own_malloc(void);

void preload_start_slow(void);
extern atomic_bool preload_started;

/*
 * Called first by every interposed function: the first call, which may
 * come before any constructor (the dynamic loader allocates), switches
 * deadbyte to its preload ways.
 */
static inline void
preload_start(void)
{
    if (!atomic_load_explicit(&preload_started, memory_order_acquire))
        preload_start_slow();
}

#endif
