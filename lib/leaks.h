/* SPDX-License-Identifier: MIT */
/*
 * leaks.h -- the leak report at exit (DEADBYTE_LEAKS=definite or all).
 */
#ifndef DEADBYTE_LEAKS_H
#define DEADBYTE_LEAKS_H

#include <stdint.h>

/*
 * Find the blocks no pointer in the process leads to, and report them
 * grouped by where they were allocated.  Does nothing with --leaks=no.
 * This thread's stack is scanned from STACK_FROM up: the frames below are
 * deadbyte's own, and hold copies of block pointers (the heap check's).
 */
void leaks_check(uintptr_t stack_from);

#endif
