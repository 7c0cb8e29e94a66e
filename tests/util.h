/* SPDX-License-Identifier: MIT */
/*
 * util.h -- what several test suites share: the three domains as a table
 * a runner for Check suites, and the size of the address space.
 */
#ifndef DEADBYTE_TESTS_UTIL_H
#define DEADBYTE_TESTS_UTIL_H

#include "deadbyte.h"

#include <check.h>
#include <sys/resource.h>

struct domain_api {
    const char *name; /* "raw" */
    char id;          /* 'r' */
    deadbyte_domain_t domain;
    void *(*malloc)(size_t);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void (*free)(void *);
};

/* raw, mem, obj, in that order. */
extern const struct domain_api domain_apis[3];

/* Run SUITE with Check's runner; the exit status for main(). */
int run_suite(Suite *suite);

/* Hide a pointer from the compiler, so deliberate bugs stay in. */
void *launder(void *p);

/* The size of this process's address space now, from /proc/self/status
 * (to set RLIMIT_AS just above it). */
rlim_t address_space(void);

#endif
