/* SPDX-License-Identifier: MIT */
/*
 * usage.h -- how many blocks and bytes the debug hooks have live, and the
 * most they had at once, for the statistics (deadbyte_print_stats).  The
 * hot path counts into per-thread tallies and adds them to the shared
 * totals only every USAGE_BATCH bytes or 256 blocks: a shared counter
 * touched by every call would bounce between the CPUs of a threaded
 * program.  The peaks are exact in a program with one thread; with more,
 * one can be missed by less than USAGE_BATCH bytes (256 blocks) per
 * other thread, whose changes the totals did not have yet.
 */
#ifndef DEADBYTE_USAGE_H
#define DEADBYTE_USAGE_H

#include <stddef.h>

#define USAGE_BATCH ((long)64 * 1024)

/* A block of SIZE bytes became live (+1) or stopped being live (-1). */
void usage_count(int sign, size_t size);

/* The peaks so far, the calling thread's tally added in first. */
void usage_peaks(size_t *peak_blocks, size_t *peak_bytes);

#endif
