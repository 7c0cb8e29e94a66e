/* SPDX-License-Identifier: MIT */
/*
 * breakpoint.h -- --break-at: stop (or say so) when block N is made.
 * The exported function itself, deadbyte_breakpoint(), is in deadbyte.h.
 */
#ifndef DEADBYTE_BREAKPOINT_H
#define DEADBYTE_BREAKPOINT_H

#include <stddef.h>
#include <stdint.h>

/* If SERIAL is one of --break-at's, call deadbyte_breakpoint() for the
 * block at P; TRACE is where it was made.  Cheap when --break-at is not
 * given: the caller tests options.break_at.count first. */
void breakpoint_check(size_t serial, void *p, size_t size, char api,
                      uint32_t trace);

#endif
