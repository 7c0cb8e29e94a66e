/* SPDX-License-Identifier: MIT */
/*
 * heapcheck.h -- whole-heap checks; deadbyte_check_heap() itself is
 * public (deadbyte.h).
 */
#ifndef DEADBYTE_HEAPCHECK_H
#define DEADBYTE_HEAPCHECK_H

#include "deadbyte.h"

/* Count one allocator call; every --check-every calls, check the heap. */
void heapcheck_count_call(void);

#endif
