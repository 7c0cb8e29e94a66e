/* SPDX-License-Identifier: MIT */
/*
 * report_file.h -- the report file of this process in the report
 * directory, "<dir>/<pid>.report", opened so that a directory other users
 * may write to (a --report-dir shared by several users) cannot turn it
 * into a write to some other file.
 */
#ifndef DEADBYTE_REPORT_FILE_H
#define DEADBYTE_REPORT_FILE_H

#include <limits.h>

/* The longest report directory whose report files fit in PATH_MAX for
 * any process ID: the launcher refuses longer ones. */
#define REPORT_DIR_MAX (PATH_MAX - sizeof "/2147483647.report")

/*
 * A descriptor open for appending to this process's report file in DIR:
 * made by this call (O_EXCL), or made earlier by this process (before an
 * exec, or by another report) -- never reached through a symbolic link,
 * and only a regular file of this user with one name and no access for
 * others.  DIR itself is made (mode 0700) if it does not exist; its
 * parent must.  Else -1, after one line on standard error saying why.
 */
int report_file_open(const char *dir);

/* "deadbyte: not writing the report to PATH: <ERROR in words>" on
 * standard error: why a report goes there instead. */
void report_file_refuse(const char *path, int error);

#endif
