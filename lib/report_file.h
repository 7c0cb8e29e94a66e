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
#include <stdbool.h>

/* The longest report directory whose report files fit in PATH_MAX for
 * any process ID: the launcher refuses longer ones. */
#define REPORT_DIR_MAX (PATH_MAX - sizeof "/2147483647.report")

/*
 * A descriptor open for appending to this process's report file in DIR:
 * made by this call (O_EXCL), or made earlier by this process (before an
 * exec, or by another report) -- never reached through a symbolic link,
 * and only a regular file of this user with one name and no access for
 * others.  Else -1, after one line on standard error saying why.  DIR
 * is made first if the launcher left it to be made.
 */
int report_file_open(const char *dir);

/*
 * The launcher's private report directory is not made until a process
 * has a report: making and removing one for every run cost more than
 * the rest of a short process.  Meanwhile an empty file, DIR followed by
 * REPORT_DIR_PENDING, says that the name is the launcher's, for as long
 * as it runs.  Make DIR (mode 0700) if that file is there, a regular file
 * of this user; another process may make DIR at the same moment.  True
 * if DIR exists now.  A process that reports after the launcher has
 * ended, or that sees another /tmp (a chroot, a mount namespace), makes
 * nothing: its report goes elsewhere, with a line saying why.
 */
#define REPORT_DIR_PENDING ".pending"
bool report_file_make_pending_dir(const char *dir);

/* "deadbyte: not writing the report to PATH: <ERROR in words>" on
 * standard error: why a report goes there instead. */
void report_file_refuse(const char *path, int error);

#endif
