/* SPDX-License-Identifier: MIT */
/*
 * domain_table.h -- the current allocator of each of the three domains
 * (raw, mem, obj), and the debug-hook contexts that wrap them.  Read and
 * set through the public deadbyte_get_allocator, deadbyte_set_allocator
 * and deadbyte_setup_debug_hooks (deadbyte.h); the domain functions
 * (domains.c) dispatch through domain_table_current directly.
 */
#ifndef DEADBYTE_DOMAIN_TABLE_H
#define DEADBYTE_DOMAIN_TABLE_H

#include "deadbyte.h"

#define DOMAIN_TABLE_N 3

/* Each domain's allocator now, by deadbyte_domain_t. */
extern deadbyte_allocator_t domain_table_current[DOMAIN_TABLE_N];

#endif
