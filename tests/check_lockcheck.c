/* SPDX-License-Identifier: MIT */
/*
 * check_lockcheck.c -- deadbyte_set_lock_check() and lockcheck_require():
 * a call made without the program's lock is a fatal error with CPython's
 * kind of message; with the lock held, or with no check set, nothing is
 * said.  The debug hooks make the call on every mem and obj call (not on
 * raw ones, nor in the modes without hooks); it is also made directly.
 */
#include "config.h"

#include "death.h"
#include "lockcheck.h"
#include "modes.h"
#include "options.h"
#include "util.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>

/* A program's lock that knows its owner, as a real predicate needs. */
struct owned_lock {
    pthread_mutex_t mutex;
    pthread_t owner;
    int held;
};

static struct owned_lock program_lock = {.mutex = PTHREAD_MUTEX_INITIALIZER};

static void
take(struct owned_lock *l)
{
    pthread_mutex_lock(&l->mutex);
    l->owner = pthread_self();
    l->held = 1;
}

static void
give(struct owned_lock *l)
{
    l->held = 0;
    pthread_mutex_unlock(&l->mutex);
}

static int
held_by_me(void *ctx)
{
    struct owned_lock *l = ctx;
    return l->held && pthread_equal(l->owner, pthread_self());
}

static void
call_unlocked(void *func)
{
    deadbyte_set_lock_check(held_by_me, &program_lock);
    lockcheck_require(func);
}

static void
call_locked(void *arg)
{
    (void)arg;
    deadbyte_set_lock_check(held_by_me, &program_lock);
    take(&program_lock);
    for (int i = 0; i < 1000; i++)
        lockcheck_require("deadbyte_mem_malloc");
    give(&program_lock);
}

static void
call_unchecked(void *arg)
{
    (void)arg;
    lockcheck_require("deadbyte_obj_free"); /* no check set */
    deadbyte_set_lock_check(held_by_me, &program_lock);
    deadbyte_set_lock_check(NULL, NULL); /* and off again */
    lockcheck_require("deadbyte_obj_free");
}

/* Held by another thread is not held. */
static void *
holder(void *arg)
{
    take(arg);
    return NULL; /* leaves it locked, owned by a thread that is gone */
}

static void
call_while_other_holds(void *arg)
{
    (void)arg;
    deadbyte_set_lock_check(held_by_me, &program_lock);
    pthread_t t;
    pthread_create(&t, NULL, holder, &program_lock);
    pthread_join(t, NULL);
    lockcheck_require("deadbyte_obj_realloc");
}

/* The real thing: a domain function called without the lock, through
 * the debug hooks, which ask the check first. */
static void
mem_malloc_unlocked(void *arg)
{
    (void)arg;
    deadbyte_set_lock_check(held_by_me, &program_lock);
    deadbyte_raw_free(deadbyte_mem_malloc(10)); /* dies before the free */
}

static void
obj_calloc_unlocked(void *arg)
{
    (void)arg;
    deadbyte_set_lock_check(held_by_me, &program_lock);
    deadbyte_raw_free(deadbyte_obj_calloc(2, 8)); /* dies before the free */
}

/* Freed under the lock, a block is no report; freed without it, is. */
static void
mem_free_unlocked(void *arg)
{
    (void)arg;
    deadbyte_set_lock_check(held_by_me, &program_lock);
    take(&program_lock);
    void *p = deadbyte_mem_malloc(10);
    p = deadbyte_mem_realloc(p, 20);
    give(&program_lock);
    deadbyte_mem_free(p);
}

/* The raw domain needs no lock, nor do the modes without hooks (CPython
 * checks the GIL only in its debug hooks). */
static void
unchecked_calls(void *mode)
{
    deadbyte_set_lock_check(held_by_me, &program_lock);
    void *raw = deadbyte_raw_malloc(10);
    deadbyte_raw_free(raw);
    if (mode) {
        modes_apply((enum modes_mode)(intptr_t)mode);
        void *p = deadbyte_mem_malloc(10);
        deadbyte_obj_free(deadbyte_obj_malloc(20));
        deadbyte_mem_free(p);
    }
}

/* A base for the mem domain that, like the small-object allocator, must
 * only be called under the lock: here it checks, and dies if not. */
static void *
locked_malloc(void *ctx, size_t size)
{
    (void)ctx;
    if (!held_by_me(&program_lock))
        abort();
    return malloc(size);
}

static void *
locked_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void)ctx;
    if (!held_by_me(&program_lock))
        abort();
    return calloc(nelem, elsize);
}

static void *
locked_realloc(void *ctx, void *p, size_t size)
{
    (void)ctx;
    if (!held_by_me(&program_lock))
        abort();
    return realloc(p, size);
}

static void
locked_free(void *ctx, void *p)
{
    (void)ctx;
    if (!held_by_me(&program_lock))
        abort();
    free(p);
}

/* Mem blocks freed under the lock wait in the quarantine; raw frees made
 * without the lock then push blocks out of it, and must push out only
 * raw ones. */
static void
quarantine_pushed_by_raw_frees(void *arg)
{
    (void)arg;
    static const deadbyte_allocator_t locked = {
        NULL, locked_malloc, locked_calloc, locked_realloc, locked_free};
    deadbyte_set_allocator(DEADBYTE_DOMAIN_MEM, &locked);
    deadbyte_setup_debug_hooks();
    deadbyte_set_lock_check(held_by_me, &program_lock);
    ck_assert_int_eq(options_set("quarantine", "1K", NULL), 0);
    take(&program_lock);
    for (int i = 0; i < 10; i++)
        deadbyte_mem_free(deadbyte_mem_malloc(100));
    give(&program_lock);
    for (int i = 0; i < 100; i++)
        deadbyte_raw_free(deadbyte_raw_malloc(100));
    take(&program_lock);
    for (int i = 0; i < 100; i++) /* now mem blocks leave, locked */
        deadbyte_mem_free(deadbyte_mem_malloc(100));
    give(&program_lock);
}

#define UNLOCKED(func)                                                         \
    "^deadbyte: fatal error in process [0-9]+ \\(.*\\):$",                     \
        "^Called at \\(most recent call first\\):$",                           \
        "^deadbyte: " func " called without the lock held "                    \
        "\\(deadbyte_set_lock_check\\)$",                                      \
        "^Fatal error: " func ": called without holding the lock$"

START_TEST(test_lockcheck_unlocked_call_is_fatal)
{
    static const char *const patterns[] = {UNLOCKED("deadbyte_mem_malloc"),
                                           NULL};
    static const struct death expect = {SIGABRT, patterns};
    expect_death(call_unlocked, "deadbyte_mem_malloc", &expect);
}
END_TEST

START_TEST(test_lockcheck_domain_calls_are_checked)
{
    static const char *const malloc_patterns[] = {
        UNLOCKED("deadbyte_mem_malloc"), NULL};
    static const char *const calloc_patterns[] = {
        UNLOCKED("deadbyte_obj_calloc"), NULL};
    static const char *const free_patterns[] = {UNLOCKED("deadbyte_mem_free"),
                                                NULL};
    static const struct death malloc_death = {SIGABRT, malloc_patterns};
    static const struct death calloc_death = {SIGABRT, calloc_patterns};
    static const struct death free_death = {SIGABRT, free_patterns};
    expect_death(mem_malloc_unlocked, NULL, &malloc_death);
    expect_death(obj_calloc_unlocked, NULL, &calloc_death);
    expect_death(mem_free_unlocked, NULL, &free_death);
}
END_TEST

START_TEST(test_lockcheck_raw_and_modes_without_hooks_unchecked)
{
    static const struct death clean = {0, NULL};
    expect_death(unchecked_calls, NULL, &clean);
    expect_death(unchecked_calls, (void *)(intptr_t)MODES_PYMALLOC, &clean);
    expect_death(unchecked_calls, (void *)(intptr_t)MODES_MALLOC, &clean);
}
END_TEST

START_TEST(test_lockcheck_quarantine_frees_domain_blocks_under_lock)
{
    static const struct death clean = {0, NULL};
    expect_death(quarantine_pushed_by_raw_frees, NULL, &clean);
}
END_TEST

START_TEST(test_lockcheck_lock_of_another_thread_is_fatal)
{
    static const char *const patterns[] = {UNLOCKED("deadbyte_obj_realloc"),
                                           NULL};
    static const struct death expect = {SIGABRT, patterns};
    expect_death(call_while_other_holds, NULL, &expect);
}
END_TEST

START_TEST(test_lockcheck_locked_call_is_silent)
{
    static const struct death clean = {0, NULL};
    expect_death(call_locked, NULL, &clean);
}
END_TEST

START_TEST(test_lockcheck_no_check_is_silent)
{
    static const struct death clean = {0, NULL};
    expect_death(call_unchecked, NULL, &clean);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("lockcheck");
    TCase *tc = tcase_create("lock check");
    tcase_add_test(tc, test_lockcheck_unlocked_call_is_fatal);
    tcase_add_test(tc, test_lockcheck_lock_of_another_thread_is_fatal);
    tcase_add_test(tc, test_lockcheck_locked_call_is_silent);
    tcase_add_test(tc, test_lockcheck_no_check_is_silent);
    tcase_add_test(tc, test_lockcheck_domain_calls_are_checked);
    tcase_add_test(tc, test_lockcheck_raw_and_modes_without_hooks_unchecked);
    tcase_add_test(tc, test_lockcheck_quarantine_frees_domain_blocks_under_lock);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
