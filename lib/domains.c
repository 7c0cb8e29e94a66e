/* SPDX-License-Identifier: MIT */
/*
 * domains.c -- the domain functions (deadbyte_raw_malloc ... : deadbyte.h),
 * entry points of the library: each starts deadbyte if it has not
 * started (lifecycle.h), dispatches to its domain's current allocator
 * (domain_table.h), and then lets the lifecycle check the heap if
 * --check-every says so.
 */
#include "config.h"

#include "domains.h"

#include "domain_table.h"
#include "lifecycle.h"
#include "traces.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * The domain functions.  CPython's contracts: size 0 is a unique block
 * (the hooks or the C library base take care of it), realloc(NULL, n) is
 * malloc, calloc checks nelem * elsize.  The allocator mode (modes.h) is
 * applied before the first call is dispatched, even one made before the
 * constructors ran: a block must go back to the allocator that made it.
 * --check-every counts the hooks' calls, and checks after them.
 */
#define DOMAIN_FUNCTIONS(prefix, domain)                                       \
    HOOK_PATH void *deadbyte_##prefix##_malloc(size_t size)                    \
    {                                                                          \
        lifecycle_start();                                                     \
        if (size > (size_t)PTRDIFF_MAX) {                                      \
            errno = ENOMEM;                                                    \
            return NULL;                                                       \
        }                                                                      \
        const deadbyte_allocator_t *a = &domain_table_current[domain];         \
        LIFECYCLE_RETURN(a->malloc(a->ctx, size));                             \
    }                                                                          \
    HOOK_PATH void *deadbyte_##prefix##_calloc(size_t nelem, size_t elsize)    \
    {                                                                          \
        lifecycle_start();                                                     \
        if (elsize != 0 && nelem > (size_t)PTRDIFF_MAX / elsize) {             \
            errno = ENOMEM;                                                    \
            return NULL;                                                       \
        }                                                                      \
        const deadbyte_allocator_t *a = &domain_table_current[domain];         \
        LIFECYCLE_RETURN(a->calloc(a->ctx, nelem, elsize));                    \
    }                                                                          \
    HOOK_PATH void *deadbyte_##prefix##_realloc(void *ptr, size_t new_size)    \
    {                                                                          \
        lifecycle_start();                                                     \
        if (new_size > (size_t)PTRDIFF_MAX) {                                  \
            errno = ENOMEM;                                                    \
            return NULL;                                                       \
        }                                                                      \
        const deadbyte_allocator_t *a = &domain_table_current[domain];         \
        if (!ptr)                                                              \
            LIFECYCLE_RETURN(a->malloc(a->ctx, new_size));                     \
        LIFECYCLE_RETURN(a->realloc(a->ctx, ptr, new_size));                   \
    }                                                                          \
    HOOK_PATH void deadbyte_##prefix##_free(void *ptr)                         \
    {                                                                          \
        lifecycle_start();                                                     \
        if (!ptr)                                                              \
            return;                                                            \
        const deadbyte_allocator_t *a = &domain_table_current[domain];         \
        LIFECYCLE_RETURN_VOID(a->free(a->ctx, ptr));                           \
    }

DOMAIN_FUNCTIONS(raw, DEADBYTE_DOMAIN_RAW)
DOMAIN_FUNCTIONS(mem, DEADBYTE_DOMAIN_MEM)
DOMAIN_FUNCTIONS(obj, DEADBYTE_DOMAIN_OBJ)

const char *
deadbyte_version(void)
{
    return PACKAGE_VERSION;
}
