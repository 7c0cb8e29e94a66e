/* SPDX-License-Identifier: MIT */
/*
 * domains.h -- the raw, mem and obj domains.  Their functions are all
 * public (deadbyte_get_allocator, deadbyte_raw_malloc, ...: deadbyte.h).
 */
#ifndef DEADBYTE_DOMAINS_H
#define DEADBYTE_DOMAINS_H

#include "deadbyte.h"

#endif
