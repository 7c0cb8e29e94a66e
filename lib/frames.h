/* SPDX-License-Identifier: MIT */
/*
 * frames.h -- tracebacks and addresses in words, for reports: each frame
 * as "#N 0xPC in function+0xOFF (module+0xOFFSET)", where module+offset
 * lets the launcher (or `deadbyte symbolize`) find file and line later,
 * after the process is gone.
 */
#ifndef DEADBYTE_FRAMES_H
#define DEADBYTE_FRAMES_H

#include "fmt.h"
#include "writer.h"

#include <stdint.h>

/*
 * A traceback item of the record W writes (record.h: ROLE is alloc,
 * free, call or fault); as text, TITLE, then the frames of trace ID, one
 * per line, then a blank line.
 * For an id below TRACES_FIRST_ID, says why there is no traceback.  The
 * first frame of a trace taken at a fault (traces_from_fault) is the
 * faulting instruction, not a return address: its line ends with
 * FRAMES_FAULT_MARK, for the symbolizer (tool/symbolize.c).
 */
#define FRAMES_FAULT_MARK " [fault]"
void frames_put_trace(struct writer *w, const char *role, const char *title,
                      uint32_t id);

/* Where ADDR lies, in words: "on the stack", "in the data of
 * /usr/bin/prog", "in no mapping", ...; read from /proc/self/maps. */
void frames_put_where(struct fmt *out, uintptr_t addr);

#endif
