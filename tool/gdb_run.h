/* SPDX-License-Identifier: MIT */
/*
 * gdb_run.h -- deadbyte --gdb: the program under gdb, with the preload
 * library and deadbyte's gdb helpers, and its own exit status.
 */
#ifndef DEADBYTE_GDB_RUN_H
#define DEADBYTE_GDB_RUN_H

/*
 * Run the program at PATH (checked by launch_check()) with ARGS (ARGS[0]
 * its name) under gdb, PRELOAD in its LD_PRELOAD only, reports going to
 * REPORT_DIR.  A #! script runs as its interpreter would: gdb debugs the
 * interpreter, and the program it executes.  Returns the program's
 * status as without gdb: its exit status, or 128 + N for the signal N
 * that killed it or that it was stopped by when gdb ended; 125 (and a
 * message) if gdb is missing or fails, 126 if it could not start the
 * program.
 */
int gdb_run(const char *path, char **args, const char *preload,
            const char *report_dir);

#endif
