/* SPDX-License-Identifier: MIT */
/*
 * domain_table.c -- the three allocation domains' allocators (CPython's
 * PYMEM_DOMAIN_RAW, _MEM and _OBJ): each has a current allocator, which
 * starts as the debug hooks over the C library's allocator (raw) or over
 * the small-object allocator (mem, obj: smallobj.h), and a debug-hook
 * context holding the allocator the hooks wrap.  The state is set up
 * statically, so the domains work from the very first call, before any
 * constructor runs.
 */
#include "config.h"

#include "domain_table.h"

#include "api.h"
#include "hooks.h"
#include "libc_base.h"
#include "quarantine.h"
#include "smallobj.h"

#include <errno.h>
#include <stddef.h>

#define LIBC_ALLOCATOR                                                         \
    {NULL, libc_base_malloc, libc_base_calloc, libc_base_realloc,              \
     libc_base_free}
#define SMALLOBJ_ALLOCATOR                                                     \
    {NULL, smallobj_malloc, smallobj_calloc, smallobj_realloc, smallobj_free}

/* CPython's default: mem and obj on pymalloc, raw on the C library.  The
 * mem and obj hooks check the program's lock, and keep their freed blocks
 * in a quarantine that only their own calls push blocks out of (so
 * pymalloc is called under the lock; quarantine.h). */
static struct hooks_ctx debug_ctx[] = {
    [DEADBYTE_DOMAIN_RAW] = {API_RAW, LIBC_ALLOCATOR, NULL, NULL, false},
    [DEADBYTE_DOMAIN_MEM] = {API_MEM, SMALLOBJ_ALLOCATOR, NULL,
                             &quarantine_domains, true},
    [DEADBYTE_DOMAIN_OBJ] = {API_OBJ, SMALLOBJ_ALLOCATOR, NULL,
                             &quarantine_domains, true},
};

#define HOOKS_OVER(domain)                                                     \
    {&debug_ctx[domain], hooks_malloc, hooks_calloc, hooks_realloc, hooks_free}

/* A debugging library: every domain starts with the hooks installed. */
deadbyte_allocator_t domain_table_current[DOMAIN_TABLE_N] = {
    [DEADBYTE_DOMAIN_RAW] = HOOKS_OVER(DEADBYTE_DOMAIN_RAW),
    [DEADBYTE_DOMAIN_MEM] = HOOKS_OVER(DEADBYTE_DOMAIN_MEM),
    [DEADBYTE_DOMAIN_OBJ] = HOOKS_OVER(DEADBYTE_DOMAIN_OBJ),
};

static int
valid_domain(deadbyte_domain_t domain)
{
    return (unsigned)domain < DOMAIN_TABLE_N;
}

int
deadbyte_get_allocator(deadbyte_domain_t domain,
                       deadbyte_allocator_t *allocator)
{
    if (!valid_domain(domain) || !allocator) {
        errno = EINVAL;
        return -1;
    }
    *allocator = domain_table_current[domain];
    return 0;
}

int
deadbyte_set_allocator(deadbyte_domain_t domain,
                       const deadbyte_allocator_t *allocator)
{
    if (!valid_domain(domain) || !allocator || !allocator->malloc ||
        !allocator->calloc || !allocator->realloc || !allocator->free) {
        errno = EINVAL;
        return -1;
    }
    domain_table_current[domain] = *allocator;
    return 0;
}

void
deadbyte_setup_debug_hooks(void)
{
    for (size_t d = 0; d < DOMAIN_TABLE_N; d++) {
        if (hooks_installed(&domain_table_current[d]))
            continue;
        debug_ctx[d].base = domain_table_current[d];
        domain_table_current[d] = (deadbyte_allocator_t)HOOKS_OVER(d);
    }
}
