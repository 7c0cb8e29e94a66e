/* SPDX-License-Identifier: MIT */
/*
 * report_access.h -- the report of a bad access to a block: a C library
 * call whose range runs out of its block (the bounds-checked calls), or
 * an instruction that faulted on a page deadbyte protected for a block
 * (guard_signal.c).
 */
#ifndef DEADBYTE_REPORT_ACCESS_H
#define DEADBYTE_REPORT_ACCESS_H

#include "registry.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum access_kind {
    ACCESS_READ,
    ACCESS_WRITE,
    /* A fault whose direction the processor does not tell the signal
     * handler (outside x86): reported as an "access". */
    ACCESS_UNKNOWN,
};

struct report_access {
    const char *func;      /* "memcpy"; NULL: an instruction that faulted
                              on a guard page */
    enum access_kind kind;
    uintptr_t start;       /* the first byte of the bad range (the fault
                              address) */
    size_t len;            /* bytes; 0 when unknown (a fault) */
    const struct block_record *record; /* the block */
    bool with_serial;      /* blocks carry serial numbers */
    uint32_t call_trace;   /* where the access was made */
};

/* Report ACCESS and end the process, as every report does. */
_Noreturn void report_bad_access(const struct report_access *access);

#endif
