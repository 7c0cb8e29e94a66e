/* SPDX-License-Identifier: MIT */
/*
 * symbolize.h -- the functions, files and lines at the frames of a
 * report, from the modules' debug information: for a frame (module,
 * offset from its load address, whether it faulted) a list of struct
 * symbol, the innermost inlined function first, C++ names demangled and
 * qualified.  Also the old way: the frames of a text report, "#N 0xPC in
 * f+0x1a (module+0xOFFSET)", turned into "#N 0xPC in function
 * file.c:LINE".
 */
#ifndef DEADBYTE_SYMBOLIZE_H
#define DEADBYTE_SYMBOLIZE_H

#include "records.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The functions at OFFSET of MODULE (an absolute path): their number,
 * and in *SYMBOLS the list, which belongs to a cache of every frame
 * looked up (by module, offset and EXACT) and lives as long as the
 * launcher.  OFFSET is a return address, or with EXACT an instruction
 * that faulted.  FALLBACK ("" or NULL: none) is the symbol the process
 * found, for a function the debug information holds but does not name.
 * 0 when nothing is known of the address (no libdw, no such module, no
 * debug information and no symbol table entry).
 */
size_t symbolize_frame(const char *module, uint64_t offset, bool exact,
                       const char *fallback, const struct symbol **symbols);

/* "  #NUMBER PC in FUNCTION FILE:LINE" (no FILE:LINE when unknown). */
void symbolize_put(FILE *out, int number, const char *pc,
                   const struct symbol *symbol);

/*
 * Write LINE (one line of a text report, with its newline) to OUT,
 * symbolized if it is a frame and the module's debug information allows;
 * frames are renumbered when inlined functions add some.  Other lines go
 * out as they are.
 */
void symbolize_line(const char *line, FILE *out);

/* Symbolize every line of IN to OUT. */
int symbolize_stream(FILE *in, FILE *out);

/* Begin a new text report for symbolize_line (frame numbers from 0). */
void symbolize_restart(void);

#endif
