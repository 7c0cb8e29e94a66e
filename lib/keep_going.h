/* SPDX-License-Identifier: MIT */
/*
 * keep_going.h -- --keep-going: after a report the program goes on, and
 * the block reported is marked so that it is reported once and never
 * reused.  A marked block is leaked: its record turns to freed (so the
 * checks at exit and the leak report pass it by), a later free of it is
 * skipped in silence, and it is never given back, from the quarantine or
 * elsewhere.
 *
 * The marks are a fixed table of addresses, filled with compare-and-swap
 * and never emptied: no lock, no malloc, async-signal-safe (the guard
 * page handler marks too).  With no mark made, a look-up is one load.
 */
#ifndef DEADBYTE_KEEP_GOING_H
#define DEADBYTE_KEEP_GOING_H

#include <stdbool.h>
#include <stdint.h>

/* Blocks that can be marked; the report after the last one that fits
 * ends the process, as without --keep-going. */
#define KEEP_GOING_MAX_BLOCKS 12288

/*
 * Before a report about the block whose data starts at P: true if it is
 * to be made -- always without --keep-going; with it, if no report about
 * the block was made before (another thread's, or this one's), and then
 * the block is marked, and turned to freed in the registry if it was
 * live.
 */
bool keep_going_first(uintptr_t p);

/* Whether a report was made about the block at P (--keep-going only). */
bool keep_going_marked(uintptr_t p);

/* Whether a report that just ended lets the program go on: --keep-going,
 * and room was left for its mark. */
bool keep_going_continues(void);

#endif
