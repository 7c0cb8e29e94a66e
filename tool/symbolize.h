/* SPDX-License-Identifier: MIT */
/*
 * symbolize.h -- turn the frames of a report, "#N 0xPC in f+0x1a
 * (module+0xOFFSET)", into "#N 0xPC in function file.c:LINE", with the
 * frames of inlined functions, from the modules' debug information.
 */
#ifndef DEADBYTE_SYMBOLIZE_H
#define DEADBYTE_SYMBOLIZE_H

#include <stdio.h>

/*
 * Write LINE (one line of a report, with its newline) to OUT, symbolized
 * if it is a frame and the module's debug information allows; frames are
 * renumbered when inlined functions add some.  Other lines go out as they
 * are.
 */
void symbolize_line(const char *line, FILE *out);

/* Symbolize every line of IN to OUT (`deadbyte symbolize`). */
int symbolize_stream(FILE *in, FILE *out);

#endif
