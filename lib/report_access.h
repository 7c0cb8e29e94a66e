/* SPDX-License-Identifier: MIT */
/*
 * report_access.h -- the report of a bad access to a block: a range that
 * a checked C library call (intercept.c) was given, or an instruction
 * that faulted on a guard page, which runs past the end of the block,
 * starts before it (in its header), or lands in a freed block.
 */
#ifndef DEADBYTE_REPORT_ACCESS_H
#define DEADBYTE_REPORT_ACCESS_H

#include "registry.h"
#include "writer_words.h" /* enum access_kind */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


struct report_access {
    const char *func;      /* "memcpy"; NULL: an instruction that faulted
                              on a guard page */
    enum access_kind kind;
    uintptr_t start;       /* the first byte of the bad range */
    size_t len;            /* bytes; 0 when unknown (a fault) */
    const struct block_record *record; /* the block whose slot holds start */
    bool with_serial;      /* blocks carry serial numbers (as report_bad) */
    uint32_t call_trace;   /* where the access was made */
};

/*
 * The report, in the usual layout: the block's dump, its allocation (and
 * free) tracebacks, "Bad read by memcpy at" and the traceback of the
 * access, a line of words ("deadbyte: buffer overflow: memcpy read 20
 * bytes at p+10..p+30 of the 16-byte block allocated with malloc (call
 * #1), 14 bytes past its end"), the --break-at hint and "Fatal error:
 * memcpy: read past the end of a block"; then the process ends (under
 * --keep-going, the report returns).
 */
void report_bad_access(const struct report_access *access);

#endif
