/* SPDX-License-Identifier: MIT */
/*
 * reports.h -- the reports the program's processes left in the report
 * directory: print them, then one summary line.
 */
#ifndef DEADBYTE_REPORTS_H
#define DEADBYTE_REPORTS_H

#include "record.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/*
 * A private report directory in $TMPDIR, absolute: its path, or NULL
 * after a message.  Made now if NOW; else only named, and kept for the
 * first process of the program that writes a report, which makes it
 * (report_file.h), until reports_end_pending().
 */
char *reports_make_dir(bool now);

/* The program has ended: a process that writes a report from now on
 * makes no report directory (DIR is from reports_make_dir(false)). */
void reports_end_pending(const char *dir);

/* What the reports of a run said. */
struct reports_summary {
    int errors;          /* error records shown (not suppressed) */
    int kind_errors[RECORD_N_KINDS]; /* of them, by kind */
    int suppressed;      /* error records a suppression left out */
    size_t error_processes; /* processes with an error shown */
    size_t leaked_bytes; /* definitely lost, not suppressed */
    size_t leaked_blocks;
    size_t leak_processes;   /* processes with a leak shown */
    size_t suppressed_bytes; /* definitely lost, suppressed */
};

/*
 * Load suppressions: "KEYWORD:PATTERN" lines of FILE (NULL: only the
 * built-in ones); '#' starts a comment.  KEYWORD is "leak" or the
 * suppression keyword of a kind of error (lib/record.h: "overflow",
 * "double-free", ...).  A record of such a kind is suppressed when a
 * frame of any of its tracebacks matches PATTERN: a function's name, or
 * its file or module (with * matching anything, and ^ or $ anchoring it
 * to the start or end of the function name).  Returns 0, or -1 after a
 * message naming the file and line.
 */
int reports_load_suppressions(const char *file);

/*
 * Print every report in DIR to OUT, oldest first, symbolized, leaving out
 * suppressed leaks; then the summary lines ("deadbyte: 3 errors
 * (2 heap-buffer-overflow, 1 double-free) in 2 processes; 1 suppressed",
 * "deadbyte: 72 bytes leaked in 3 blocks ...").  Prints nothing at all
 * when there is no report.  Reports older than SINCE are left out (a --report-dir used
 * before).  With REMOVE, delete the reports and the directory afterwards.
 * With --format=json or sarif, write the records shown and a summary in
 * that format instead (render_machine.h), even when there is no report;
 * RUN_STATUS is the program's exit status for it (-1: unknown).
 */
struct reports_summary reports_print(const char *dir, FILE *out, int remove,
                                     time_t since, int run_status);

#endif
