/* SPDX-License-Identifier: MIT */
/*
 * maps.h -- walk /proc/self/maps without malloc or stdio: the mappings of
 * the process, for reports ("where does this address lie?") and for the
 * leak scan (which memory may hold pointers).
 */
#ifndef DEADBYTE_MAPS_H
#define DEADBYTE_MAPS_H

#include <stdbool.h>
#include <stdint.h>

struct mapping {
    uintptr_t start, end;
    char perms[5];    /* "rw-p" */
    const char *path; /* "" for anonymous memory; "[stack]", ... */
};

/* Call FN for each mapping, in address order, until it returns false.
 * False if /proc/self/maps cannot be read. */
bool maps_for_each(bool (*fn)(const struct mapping *, void *), void *arg);

#endif
