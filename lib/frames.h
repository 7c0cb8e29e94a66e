/* SPDX-License-Identifier: MIT */
/*
 * frames.h -- tracebacks in reports, part of the writer: each frame as
 * "#N 0xPC in function+0xOFF (module+0xOFFSET)", where module+offset
 * lets the launcher (or `deadbyte symbolize`) find file and line later,
 * after the process is gone.
 */
#ifndef DEADBYTE_FRAMES_H
#define DEADBYTE_FRAMES_H

#include "fmt.h"
#include "writer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a traceback has no frames (the traces module says). */
enum frames_missing {
    FRAMES_NOT_RECORDED, /* none asked for (--frames 0), or none kept */
    FRAMES_BUSY,         /* the thread was recording another stack */
    FRAMES_NONE_FOUND,   /* libunwind found none */
    FRAMES_NO_MEMORY,    /* no memory for the store of stacks */
    FRAMES_FULL,         /* the store of stacks is full */
};

/*
 * A traceback item of the record W writes (record.h: ROLE is alloc,
 * free, call or fault): the N return addresses FRAMES, most recent
 * first, or with FROM_FAULT the faulting instruction first.  As text,
 * TITLE, then the frames, one per line, then a blank line; with no
 * frames, the line saying WHY.  The first frame of a trace taken at a
 * fault is the faulting instruction, not a return address: its line
 * ends with FRAMES_FAULT_MARK, for the symbolizer (tool/symbolize.c).
 */
#define FRAMES_FAULT_MARK " [fault]"
void frames_put_trace(struct writer *w, const char *role, const char *title,
                      const uintptr_t *frames, size_t n, bool from_fault,
                      enum frames_missing why);

#endif
