/* SPDX-License-Identifier: MIT */
/*
 * report.h -- fatal-error reports: what went wrong, with which block, the
 * bytes that say so, where the block was allocated and freed, and where
 * the bad call was made.  Each ends with CPython's "Fatal error:
 * <function>: <check>" line and abort().
 *
 * Each is one record written by writer.h (no malloc, no stdio: the heap
 * may be damaged): as text to DEADBYTE_LOG_FILE or standard error, or
 * encoded in the launcher's report file; block bytes are read through
 * checked copies.
 */
#ifndef DEADBYTE_REPORT_H
#define DEADBYTE_REPORT_H

#include "block.h"
#include "fmt.h"
#include "record.h"
#include "registry.h"
#include "writer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Start a fatal-error report, a record of KIND, of check CHECK failed in
 * FUNC: take the report lock (waiting while another thread writes a
 * report), open W (writer.h) and write "deadbyte: fatal error in process
 * 1234 (./prog):" ("error in process" under --keep-going).  A report begun on a thread that is writing one already,
 * or is in the abort() that ends one (the program's SIGABRT handler
 * called free()), writes instead "deadbyte: a second error while
 * reporting the first in process 1234: FUNC: CHECK; aborting" and ends
 * the process with SIGABRT at once, whatever its handler.  The lock is
 * never released, a report ends the process; but under --keep-going
 * report_end releases it.
 */
void report_begin(struct writer *w, enum record_kind kind, const char *func,
                  const char *check);

/* Write out the rest of the report begun by report_begin, and end the
 * process: abort(), or exit 134 in the checks made as it ends.  Under
 * --keep-going (keep_going_continues), let go of the report lock and
 * return: then so do the reports below. */
void report_end(struct writer *w);

/* Whether a report has begun in this process, or in the one it was
 * forked from: the abort() (or exit) that ends it is under way, maybe in
 * the program's SIGABRT handler. */
bool report_begun(void);

/* How the reports of this thread end the process: abort() (the
 * default), or, in the checks made when it ends, exit() or _exit() with
 * REPORT_EXIT_STATUS -- 128 + SIGABRT, what a shell shows for abort(). */
enum report_ending { REPORT_ABORT, REPORT_EXIT, REPORT__EXIT };
#define REPORT_EXIT_STATUS 134
void report_set_ending(enum report_ending how);

/* What a check found wrong with a block. */
struct report_bad {
    const char *func;       /* the function the program called: "free" */
    char verify_api;        /* the API id that function expects */
    const void *p;          /* the block */
    enum block_fault fault; /* what is wrong */
    bool with_serial;       /* whether blocks carry a serial number */
    size_t delete_size;     /* BLOCK_BAD_DELETE_SIZE: the size passed */
    const struct block_record *record; /* the registry's record */
    uint32_t call_trace;    /* where FUNC was called */
};

/* A block whose bytes (pads, API id, size field) are wrong. */
void report_bad_block(const struct report_bad *bad);

/* FUNC was given P, which deadbyte never handed out (or an interior
 * pointer of a block it did). */
void report_unknown_pointer(const char *func, const void *p,
                                      uint32_t call_trace);

/* FUNC was given the block RECORD, which the program registered with
 * deadbyte_track(): deadbyte did not make it and cannot release it. */
void report_tracked_block(const char *func,
                                    const struct block_record *record,
                                    uint32_t call_trace);

/* FUNC was given the block RECORD, which was freed already. */
void report_freed_block(const char *func,
                                  const struct block_record *record,
                                  uint32_t call_trace);

/* The block RECORD, leaving the quarantine during FUNC, was written to
 * after it was freed. */
void report_write_after_free(const char *func,
                                       const struct block_record *record,
                                       bool with_serial);

/* FUNC made the block of SIZE bytes at P (its old block is gone), and
 * the registry had no memory left to record it.  The caller ends the
 * process if this returns (--keep-going): no result would be safe. */
void report_out_of_memory(const char *func, const void *p,
                                    size_t size);

/* The parts of the reports above, for reports made in other files
 * (report_access.c): "the 16-byte block allocated with malloc (call
 * #12)"; the block's allocation and free tracebacks, then CALL_TITLE's
 * (if not NULL); the dump of a freed block; the "Fatal error: FUNC:
 * CHECK" line, and the end of the process. */
void report_put_traces(struct writer *w, const struct block_record *record,
                       const char *call_title, uint32_t call_trace);
void report_put_freed_dump(struct writer *w, const struct block_record *record,
                           bool with_serial);
void report_finish(struct writer *w, const char *func,
                             const char *check);

#endif
