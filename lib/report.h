/* SPDX-License-Identifier: MIT */
/*
 * report.h -- the fatal-error report for a damaged or misused block, in
 * the layout of CPython's _PyObject_DebugDumpAddress (see deadbyte(7)).
 */
#ifndef DEADBYTE_REPORT_H
#define DEADBYTE_REPORT_H

#include "block.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * report_bad_block - describe the block at P, which FUNC (the function the
 * program called, "deadbyte_raw_free") found faulty as FAULT while
 * checking it for API VERIFY_API; then abort().
 *
 * CAPACITY bounds the bytes of the base allocation (SIZE_MAX if unknown);
 * WITH_SERIAL says whether blocks carry a serial number.  Every byte of
 * the block is read through a checked copy, and nothing beyond CAPACITY
 * is read, so a corrupt size field cannot make the report crash or stray.
 * Written with write(2) from buffers on the stack: no malloc, no stdio.
 */
_Noreturn void report_bad_block(const char *func, char verify_api,
                                const void *p, enum block_fault fault,
                                size_t capacity, bool with_serial);

#endif
