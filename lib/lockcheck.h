/* SPDX-License-Identifier: MIT */
/*
 * lockcheck.h -- the check that the program holds its lock when it calls
 * the mem and obj domains (CPython's _PyMem_DebugCheckGIL): their base,
 * the small-object allocator, is not thread-safe.  The program says how
 * to tell with deadbyte_set_lock_check() (public, deadbyte.h).
 */
#ifndef DEADBYTE_LOCKCHECK_H
#define DEADBYTE_LOCKCHECK_H

/*
 * lockcheck_require - if the program set a lock check and it says the
 * lock is not held, write a fatal report naming FUNC (the function the
 * program called, "deadbyte_mem_malloc") and abort():
 *
 *   deadbyte: FUNC called without the lock held (deadbyte_set_lock_check)
 *   Fatal error: FUNC: called without holding the lock
 *
 * Returns at once when no check is set.  Runs inside the allocator: no
 * malloc, no stdio.
 */
void lockcheck_require(const char *func);

#endif
