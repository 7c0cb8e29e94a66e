/* SPDX-License-Identifier: MIT */
/*
 * render.h -- the records of a report file (records.h) written out for
 * a reader: as text, exactly the report the library writes without the
 * launcher, with the frames symbolized.
 */
#ifndef DEADBYTE_RENDER_H
#define DEADBYTE_RENDER_H

#include "records.h"

#include <stdbool.h>
#include <stdio.h>

/*
 * Write record R to OUT as text: its items in order.  Its "process"
 * items only with SHOW_PROCESS (a leak check's process line comes
 * before the first leak group shown, not before each).  Frames that
 * records_symbolize() found functions for read "  #N 0xPC in FUNCTION
 * FILE:LINE", one line per inlined function, numbered anew; the others
 * as the process wrote them.
 */
void render_text_record(FILE *out, const struct record *r, bool show_process);

/* The line of a "process" item of R: "deadbyte: WHAT in process PID
 * (ARGV0):", with its newline. */
void render_text_process(FILE *out, const struct record *r,
                         const struct item *item);

/* Every record of FILE as text (the process line of a leak check once,
 * before its first group), or the lines of a text report symbolized
 * (symbolize_line). */
void render_text_file(FILE *out, const struct report_file *file);

#endif
