/* SPDX-License-Identifier: MIT */
/*
 * modes_apply.c -- set the domains up as an allocator mode says (the
 * table is in modes.h), and do it once from the options, before the first
 * domain call (the lifecycle's start, lifecycle.h).  Apart from modes.c
 * because it needs the library: the launcher links the parser only.
 * It sets the domains through their public functions (deadbyte.h) only.
 */
#include "config.h"

#include "modes.h"

#include "deadbyte.h"
#include "libc_base.h"
#include "options.h"
#include "smallobj.h"

#include <stdatomic.h>
#include <stdbool.h>

void
modes_apply(enum modes_mode mode)
{
    bool small = mode != MODES_MALLOC && mode != MODES_MALLOC_DEBUG;
    bool hooks = mode != MODES_MALLOC && mode != MODES_PYMALLOC;
    const deadbyte_allocator_t *mem_obj =
        small ? &smallobj_allocator : &libc_base_allocator;
    deadbyte_set_allocator(DEADBYTE_DOMAIN_RAW, &libc_base_allocator);
    deadbyte_set_allocator(DEADBYTE_DOMAIN_MEM, mem_obj);
    deadbyte_set_allocator(DEADBYTE_DOMAIN_OBJ, mem_obj);
    if (hooks)
        deadbyte_setup_debug_hooks();
}

/* 0: not applied, 1: being applied by some thread, 2: done. */
static atomic_int state;

void
modes_init(void)
{
    if (atomic_load_explicit(&state, memory_order_acquire) == 2)
        return;
    int expected = 0;
    if (atomic_compare_exchange_strong(&state, &expected, 1)) {
        options_init();
        enum modes_mode mode = options.malloc;
        /* default and debug are how the domains start (static): nothing
         * to change, nor to undo of what the program set itself. */
        if (mode != MODES_DEFAULT && mode != MODES_DEBUG)
            modes_apply(mode);
        atomic_store_explicit(&state, 2, memory_order_release);
        return;
    }
    /* Another thread is applying: a few stores, it never blocks. */
    while (atomic_load_explicit(&state, memory_order_acquire) != 2)
        ;
}
