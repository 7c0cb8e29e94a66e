/* SPDX-License-Identifier: MIT */
/*
 * reports.h -- the reports the program's processes left in the report
 * directory: print them, then one summary line.
 */
#ifndef DEADBYTE_REPORTS_H
#define DEADBYTE_REPORTS_H

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
    int errors;          /* fatal errors */
    size_t leaked_bytes; /* definitely lost, not suppressed */
    size_t leaked_blocks;
};

/*
 * Load leak suppressions: "leak:PATTERN" lines of FILE (NULL: only the
 * built-in ones); '#' starts a comment.  A leak is suppressed when a
 * frame of its traceback contains PATTERN (with * matching anything, and
 * ^ or $ anchoring it to the start or end of the function name).  Returns
 * 0, or -1 after a message naming the file and line.
 */
int reports_load_suppressions(const char *file);

/*
 * Print every report in DIR to OUT, oldest first, symbolized, leaving out
 * suppressed leaks; then the summary lines ("deadbyte: 1 error in 1
 * process (bad trailing pad byte in ./prog[1234])", "deadbyte: 72 bytes
 * leaked in 3 blocks ...").  Prints nothing at all when there is no
 * report.  Reports older than SINCE are left out (a --report-dir used
 * before).  With REMOVE, delete the reports and the directory afterwards.
 */
struct reports_summary reports_print(const char *dir, FILE *out, int remove,
                                     time_t since);

#endif
