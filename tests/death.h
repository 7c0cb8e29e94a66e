/* SPDX-License-Identifier: MIT */
/*
 * death.h -- expect a function to kill the process with a given signal and
 * to write given lines to standard error, in order.
 */
#ifndef DEADBYTE_TESTS_DEATH_H
#define DEADBYTE_TESTS_DEATH_H

#include <stddef.h>

/* Up to this many patterns per expectation. */
#define DEATH_MAX_PATTERNS 16

struct death {
    int signal;       /* 0: must exit with status 0 and write nothing */
    const char *const *patterns; /* NULL-terminated POSIX extended regexes */
};

/*
 * expect_death - run FN(ARG) in a forked child with fd 2 captured, and
 * check that it ended as EXPECT says: killed by EXPECT->signal with every
 * pattern matching the captured text, each one after the previous match
 * (a pattern matches within one line unless it spells \n itself).  With
 * signal 0, the child must exit 0 having written nothing to fd 2.
 * Fails the current Check test with the captured text on a mismatch.
 * Forks on its own, so it works under CK_FORK=no too.
 */
void expect_death(void (*fn)(void *), void *arg, const struct death *expect);

/* The text the last expect_death() child wrote to fd 2. */
const char *death_output(void);

#endif
