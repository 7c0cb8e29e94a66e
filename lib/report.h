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

/* What a check found wrong with a block. */
struct report_bad {
    const char *func;       /* the function the program called: "free" */
    char verify_api;        /* the API id that function expects */
    const void *p;          /* the block */
    enum block_fault fault; /* what is wrong */
    size_t capacity;        /* bytes from p-2S known to be the block's */
    bool with_serial;       /* whether blocks carry a serial number */
    size_t delete_size;     /* BLOCK_BAD_DELETE_SIZE: the size passed */
};

/*
 * report_bad_block - describe the block BAD->p, which BAD->func found
 * faulty, then abort().
 *
 * Every byte of the block is read through a checked copy and nothing past
 * BAD->capacity is read (SIZE_MAX: unknown), so a corrupt size field
 * cannot make the report crash or stray.  Written with write(2) from
 * buffers on the stack: no malloc, no stdio.  The report goes to the
 * launcher's report directory, to DEADBYTE_LOG_FILE, or to stderr.
 */
_Noreturn void report_bad_block(const struct report_bad *bad);

#endif
