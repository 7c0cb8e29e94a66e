/* SPDX-License-Identifier: MIT */
/*
 * domains.h -- the raw, mem and obj domains: the allocator each one has
 * now and the debug-hook contexts that wrap them.  The public functions
 * (deadbyte_get_allocator, deadbyte_raw_malloc, ...) are in deadbyte.h.
 */
#ifndef DEADBYTE_DOMAINS_H
#define DEADBYTE_DOMAINS_H

#include "deadbyte.h"

/* The C library's allocator as a deadbyte_allocator_t (ctx unused). */
extern const deadbyte_allocator_t domains_libc_allocator;

#endif
