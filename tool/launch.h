/* SPDX-License-Identifier: MIT */
/*
 * launch.h -- check that a program can run under deadbyte, then run it
 * with the preload library and wait for it.
 */
#ifndef DEADBYTE_LAUNCH_H
#define DEADBYTE_LAUNCH_H

#include <stdbool.h>

/* Exit statuses of the launcher itself (env(1)'s conventions). */
#define EXIT_DEADBYTE_ERROR 125 /* bad option, cannot preload, ... */
#define EXIT_NOT_EXECUTABLE 126
#define EXIT_NOT_FOUND 127

/*
 * Find PROGRAM as execvp() would (PATH when it has no slash) and check
 * that deadbyte can preload into it.  On success returns 0 and stores the
 * path to run in PATH_OUT (PATH_MAX bytes); else prints one line
 * "deadbyte: PROGRAM: why" and returns the exit status to use.
 */
int launch_check(const char *program, char *path_out);

/*
 * Run PATH with ARGV, LD_PRELOAD extended with PRELOAD (NULL: left
 * alone), reports going to $DEADBYTE_REPORT_DIR, and wait for it and its
 * descendants; the signals sent to the launcher go to it.  Returns its
 * status as supervise_run() (supervise.h) tells it.
 */
int launch_run(const char *path, char **argv, const char *preload);

/* The preload library: the build tree's when the launcher runs from
 * there, else the installed one.  NULL (and a message) if missing. */
const char *launch_find_preload(void);

/* Find the program NAME in PATH, quietly; its path in PATH_OUT
 * (PATH_MAX bytes).  For the launcher's own helpers (gdb). */
bool launch_which(const char *name, char *path_out);

/* The gdb helper script, from the same place as the preload library
 * (call launch_find_preload() first). */
const char *launch_find_gdb_script(void);

/* LD_PRELOAD for the program: PRELOAD, then what LD_PRELOAD held.  The
 * caller frees it; NULL if out of memory. */
char *launch_preload_value(const char *preload);

#endif
