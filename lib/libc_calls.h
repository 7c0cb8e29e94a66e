/* SPDX-License-Identifier: MIT */
/*
 * libc_calls.h -- the C library's own memcpy, strlen, read, snprintf ...
 * (every function of intercept.def), for the preload library, which
 * interposes them (intercept.c).  Two kinds of callers need them:
 *
 * - deadbyte itself.  Its code calls memcpy, memset, strlen and write on
 *   pads, headers and freed data, which the interposers would take for
 *   bad accesses; and an interposer reached from the allocator would run
 *   inside it.  The preload library is linked with --wrap=NAME for every
 *   NAME of intercept.def (Makefile.am), so that every call deadbyte's
 *   own code makes to NAME -- written in the source, or made up by the
 *   compiler for a structure copy, as clang does whatever the source
 *   says -- goes to __wrap_NAME here, which calls the C library's.
 * - the interposers, after their checks: LIBC(name).
 *
 * The C library's functions are found with dlsym(RTLD_NEXT), all at once
 * by the preload library's constructor (a vfork child then finds them
 * found: it must not run dlsym, which may allocate).  Before that (calls
 * from the loader's allocations, other libraries' constructors), and on
 * a thread that is inside dlsym, the common ones run as plain loops or
 * system calls (libc_calls.c); the others are looked up at first use.
 * Everything here is async-signal-safe once the constructor has run.
 */
#ifndef DEADBYTE_LIBC_CALLS_H
#define DEADBYTE_LIBC_CALLS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <wchar.h>

/* The type of each function: libc_type_memcpy ... */
#define INTERCEPT(type, name, params, args, fallback)                          \
    typedef type libc_type_##name params;
#include "intercept.def"
#undef INTERCEPT

enum libc_call {
#define INTERCEPT(type, name, params, args, fallback) LIBC_CALL_##name,
#include "intercept.def"
#undef INTERCEPT
    LIBC_CALLS
};

/* The C library's functions found so far (NULL: not yet). */
extern void *libc_calls[LIBC_CALLS];

/* The function of CALL, found now, or its loop (never NULL). */
void *libc_calls_find(enum libc_call call);

/* Find every function (the preload library's constructor). */
void libc_calls_start(void);

/* The C library's NAME, to call. */
#define LIBC(name)                                                             \
    ((libc_type_##name *)libc_call_get(LIBC_CALL_##name))

static inline __attribute__((always_inline)) void *
libc_call_get(enum libc_call call)
{
    void *f = __atomic_load_n(&libc_calls[call], __ATOMIC_RELAXED);
    return __builtin_expect(f != NULL, 1) ? f : libc_calls_find(call);
}

#endif
