/* SPDX-License-Identifier: MIT */
/*
 * tracking.c -- deadbyte_track() and deadbyte_untrack() (CPython's
 * PyTraceMalloc_Track/Untrack): memory the program gets elsewhere (its
 * own pool, mmap) registered as a block of a domain, so that it has an
 * allocation traceback, shows in leak reports and in the statistics.
 * deadbyte lays nothing out around it: it has no guards to check, and
 * the hooks refuse to release it (report_tracked_block).
 */
#include "config.h"

#include "deadbyte.h"
#include "hooks.h"
#include "lifecycle.h"
#include "registry.h"
#include "traces.h"

#include <errno.h>
#include <stdint.h>

/* The smallest address a tracked block may have: the registry marks its
 * empty slots with address 0, and nothing lives in page 0. */
#define LOWEST_ADDRESS 4096

/*
 * The API id of DOMAIN's blocks if its debug hooks are on; 0 if they are
 * not (CPython: tracemalloc not tracing, -2); -1 if DOMAIN is not one.
 */
static int
hooked_api(deadbyte_domain_t domain)
{
    lifecycle_start();
    deadbyte_allocator_t allocator;
    if (deadbyte_get_allocator(domain, &allocator) != 0)
        return -1;
    return hooks_api_of(&allocator);
}

HOOK_PATH int
deadbyte_track(deadbyte_domain_t domain, const void *ptr, size_t size)
{
    int api = hooked_api(domain);
    if (api == 0)
        return -2;
    if (api < 0 || (uintptr_t)ptr < LOWEST_ADDRESS ||
        size > (size_t)PTRDIFF_MAX) {
        errno = EINVAL;
        return -1;
    }
    struct block_record old;
    if (registry_find((uintptr_t)ptr, &old) &&
        (!old.tracked || old.api != (char)api)) {
        /* A block deadbyte made, or one tracked in another domain. */
        errno = EEXIST;
        return -1;
    }
    /* Tracked again: CPython replaces the trace, and so do we. */
    struct block_record record = {
        (uintptr_t)ptr, size, 0, traces_capture(), 0, 0, (char)api,
        false, true,
    };
    if (!registry_add(&record)) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

int
deadbyte_untrack(deadbyte_domain_t domain, const void *ptr)
{
    int api = hooked_api(domain);
    if (api == 0)
        return -2;
    struct block_record record;
    if (api < 0 || !registry_find((uintptr_t)ptr, &record) ||
        !record.tracked || record.api != (char)api) {
        errno = EINVAL;
        return -1;
    }
    registry_remove((uintptr_t)ptr, NULL);
    return 0;
}
