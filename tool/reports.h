/* SPDX-License-Identifier: MIT */
/*
 * reports.h -- the reports the program's processes left in the report
 * directory: print them, then one summary line.
 */
#ifndef DEADBYTE_REPORTS_H
#define DEADBYTE_REPORTS_H

#include <stdio.h>

/* Make a private report directory; its path, or NULL after a message. */
char *reports_make_dir(void);

/*
 * Print every report in DIR to OUT, oldest first, then the summary line
 * ("deadbyte: 1 error in 1 process (bad trailing pad byte in
 * ./prog[1234])").  Prints nothing at all when there is no report.
 * With REMOVE, delete the reports and the directory afterwards.
 * Returns the number of errors.
 */
int reports_print(const char *dir, FILE *out, int remove);

#endif
