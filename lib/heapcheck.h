/* SPDX-License-Identifier: MIT */
/*
 * heapcheck.h -- whole-heap checks; deadbyte_check_heap() itself is
 * public (deadbyte.h).  When they run (--check-every, at the end of the
 * process) is the lifecycle's to say (lifecycle.h).
 */
#ifndef DEADBYTE_HEAPCHECK_H
#define DEADBYTE_HEAPCHECK_H

#include "deadbyte.h"

#include <stdbool.h>

/*
 * May the final check run now, at HOW ("exit", "_exit", "exec")?  Not if
 * this thread holds one of deadbyte's locks (a signal handler that
 * interrupted the allocator): then say so, where reports go, and false.
 */
bool heapcheck_may_check_now(const char *how);

#endif
