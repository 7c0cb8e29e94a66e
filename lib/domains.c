/* SPDX-License-Identifier: MIT */
/*
 * domains.c -- the three allocation domains (CPython's PYMEM_DOMAIN_RAW,
 * _MEM and _OBJ): each has a current allocator, which starts as the debug
 * hooks over the C library's allocator (raw) or over the small-object
 * allocator (mem, obj: smallobj.h), and a debug-hook context holding
 * the allocator the hooks wrap.  The state is set up statically, so the
 * domains work from the very first call, before any constructor runs.
 */
#include "config.h"

#include "domains.h"

#include "api.h"
#include "hooks.h"
#include "libc_base.h"
#include "modes.h"
#include "smallobj.h"
#include "traces.h"
#include "options.h"
#include "quarantine.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

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
static deadbyte_allocator_t current[] = {
    [DEADBYTE_DOMAIN_RAW] = HOOKS_OVER(DEADBYTE_DOMAIN_RAW),
    [DEADBYTE_DOMAIN_MEM] = HOOKS_OVER(DEADBYTE_DOMAIN_MEM),
    [DEADBYTE_DOMAIN_OBJ] = HOOKS_OVER(DEADBYTE_DOMAIN_OBJ),
};

#define N_DOMAINS (sizeof current / sizeof current[0])

/* Read the options at load time, so that a bad DEADBYTE_* value is
 * reported even by a program that never allocates through deadbyte; and
 * apply the allocator mode before the program can set allocators. */
__attribute__((constructor)) static void
read_options_at_load(void)
{
    options_init();
    modes_init();
}

static int
valid_domain(deadbyte_domain_t domain)
{
    return (unsigned)domain < N_DOMAINS;
}

int
deadbyte_get_allocator(deadbyte_domain_t domain,
                       deadbyte_allocator_t *allocator)
{
    if (!valid_domain(domain) || !allocator) {
        errno = EINVAL;
        return -1;
    }
    *allocator = current[domain];
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
    current[domain] = *allocator;
    return 0;
}

void
deadbyte_setup_debug_hooks(void)
{
    for (size_t d = 0; d < N_DOMAINS; d++) {
        if (hooks_installed(&current[d]))
            continue;
        debug_ctx[d].base = current[d];
        current[d] = (deadbyte_allocator_t)HOOKS_OVER(d);
    }
}

/*
 * The domain functions.  CPython's contracts: size 0 is a unique block
 * (the hooks or the C library base take care of it), realloc(NULL, n) is
 * malloc, calloc checks nelem * elsize.  The allocator mode (modes.h) is
 * applied before the first call is dispatched, even one made before the
 * constructors ran: a block must go back to the allocator that made it.
 */
#define DOMAIN_FUNCTIONS(prefix, domain)                                       \
    HOOK_PATH void *deadbyte_##prefix##_malloc(size_t size)                    \
    {                                                                          \
        modes_init();                                                          \
        if (size > (size_t)PTRDIFF_MAX) {                                      \
            errno = ENOMEM;                                                    \
            return NULL;                                                       \
        }                                                                      \
        return current[domain].malloc(current[domain].ctx, size);              \
    }                                                                          \
    HOOK_PATH void *deadbyte_##prefix##_calloc(size_t nelem, size_t elsize)    \
    {                                                                          \
        modes_init();                                                          \
        if (elsize != 0 && nelem > (size_t)PTRDIFF_MAX / elsize) {             \
            errno = ENOMEM;                                                    \
            return NULL;                                                       \
        }                                                                      \
        return current[domain].calloc(current[domain].ctx, nelem, elsize);     \
    }                                                                          \
    HOOK_PATH void *deadbyte_##prefix##_realloc(void *ptr, size_t new_size)    \
    {                                                                          \
        modes_init();                                                          \
        if (new_size > (size_t)PTRDIFF_MAX) {                                  \
            errno = ENOMEM;                                                    \
            return NULL;                                                       \
        }                                                                      \
        if (!ptr)                                                              \
            return current[domain].malloc(current[domain].ctx, new_size);      \
        return current[domain].realloc(current[domain].ctx, ptr, new_size);    \
    }                                                                          \
    HOOK_PATH void deadbyte_##prefix##_free(void *ptr)                         \
    {                                                                          \
        modes_init();                                                          \
        if (ptr)                                                               \
            current[domain].free(current[domain].ctx, ptr);                    \
    }

DOMAIN_FUNCTIONS(raw, DEADBYTE_DOMAIN_RAW)
DOMAIN_FUNCTIONS(mem, DEADBYTE_DOMAIN_MEM)
DOMAIN_FUNCTIONS(obj, DEADBYTE_DOMAIN_OBJ)

const char *
deadbyte_version(void)
{
    return PACKAGE_VERSION;
}
