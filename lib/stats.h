/* SPDX-License-Identifier: MIT */
/*
 * stats.h -- the allocator statistics of deadbyte_print_stats() (public,
 * deadbyte.h), in CPython's PYTHONMALLOCSTATS layout.
 */
#ifndef DEADBYTE_STATS_H
#define DEADBYTE_STATS_H

/* DEADBYTE_MALLOCSTATS: from now on, print the statistics where reports
 * go at each new arena (called by the lifecycle's start, lifecycle.h). */
void stats_init(void);

/* DEADBYTE_MALLOCSTATS: print them at exit (the lifecycle's end calls
 * it first, before the exit check and the leak scan: lifecycle.h). */
void stats_at_exit(void);

#endif
