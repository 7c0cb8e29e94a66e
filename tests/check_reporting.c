/* SPDX-License-Identifier: MIT */
/*
 * check_reporting.c -- reports that meet other reports: a second error on
 * the thread that is reporting (in its SIGABRT handler) is one line and
 * SIGABRT, never a wait for itself; a thread that reports after the
 * reporting thread died, or is stuck, is not kept waiting for it for
 * ever; and a program whose SIGABRT handler allocates, with nothing
 * wrong, is left alone.
 */
#include "config.h"

#include "death.h"
#include "util.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *cache;

static void
on_abort(void (*handler)(int))
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    sigaction(SIGABRT, &action, NULL);
}

/* ---- A second error in the SIGABRT handler ------------------------- */

static void
free_cache_again(int sig)
{
    (void)sig;
    deadbyte_raw_free(launder(cache));
}

static void
double_free_then_free_in_handler(void *arg)
{
    (void)arg;
    on_abort(free_cache_again);
    cache = deadbyte_raw_malloc(32);
    deadbyte_raw_free(cache);
    deadbyte_raw_free(launder(cache));
}

START_TEST(test_reporting_second_error_in_abort_handler)
{
    static const char *const patterns[] = {
        "^Fatal error: deadbyte_raw_free: double free$",
        "^deadbyte: a second error while reporting the first in process "
        "[0-9]+: deadbyte_raw_free: double free; aborting$",
        NULL};
    struct death expect = {SIGABRT, patterns};
    expect_death(double_free_then_free_in_handler, NULL, &expect);
    /* One report, one note: the handler's free is not reported in full. */
    const char *second = strstr(death_output(), "Fatal error:");
    ck_assert_ptr_nonnull(second);
    ck_assert_ptr_null(strstr(second + 1, "Fatal error:"));
}
END_TEST

/* The handler catches SIGABRT and returns, and deadbyte's abort must end
 * the process all the same: a bad free in it, ignored after the note,
 * would leave the program running after two errors. */
static void
free_wild_pointer(int sig)
{
    (void)sig;
    static char not_a_block[64];
    deadbyte_raw_free(launder(not_a_block + 16));
}

static void
double_free_then_wild_free_in_handler(void *arg)
{
    (void)arg;
    on_abort(free_wild_pointer);
    cache = deadbyte_raw_malloc(32);
    deadbyte_raw_free(cache);
    deadbyte_raw_free(launder(cache));
}

START_TEST(test_reporting_second_error_ends_process_despite_handler)
{
    static const char *const patterns[] = {
        "^Fatal error: deadbyte_raw_free: double free$",
        "^deadbyte: a second error while reporting the first in process "
        "[0-9]+: deadbyte_raw_free: invalid pointer; aborting$",
        NULL};
    struct death expect = {SIGABRT, patterns};
    expect_death(double_free_then_wild_free_in_handler, NULL, &expect);
}
END_TEST

/* ---- The reporting thread is gone ---------------------------------- */

static pid_t main_thread;

/* In the worker that reported: end that thread alone, without unwinding
 * (the report lock stays taken); in the main thread: return. */
static void
end_worker_thread(int sig)
{
    (void)sig;
    if ((pid_t)syscall(SYS_gettid) != main_thread)
        syscall(SYS_exit, 0);
}

static void *
double_free_in_thread(void *arg)
{
    (void)arg;
    void *p = deadbyte_raw_malloc(16);
    deadbyte_raw_free(p);
    deadbyte_raw_free(launder(p));
    return NULL;
}

static void
report_after_reporter_died(void *arg)
{
    (void)arg;
    main_thread = getpid();
    on_abort(end_worker_thread);
    pthread_t worker;
    if (pthread_create(&worker, NULL, double_free_in_thread, NULL) != 0)
        abort();
    pthread_join(worker, NULL);
    void *p = deadbyte_raw_malloc(24);
    deadbyte_raw_free(p);
    deadbyte_raw_free(launder(p)); /* must be reported, not wait forever */
}

START_TEST(test_reporting_reporter_thread_gone)
{
    static const char *const patterns[] = {
        "^deadbyte: double free: deadbyte_raw_free was given the 16-byte "
        "block",
        "^Fatal error: deadbyte_raw_free: double free$",
        "^deadbyte: double free: deadbyte_raw_free was given the 24-byte "
        "block",
        "^Fatal error: deadbyte_raw_free: double free$",
        NULL};
    struct death expect = {SIGABRT, patterns};
    expect_death(report_after_reporter_died, NULL, &expect);
}
END_TEST

/* ---- The reporting thread is stuck --------------------------------- */

/* In the worker that reported: wait for good, as a crash handler waiting
 * for an answer that never comes; in the main thread: return. */
static void
hang_in_worker_thread(int sig)
{
    (void)sig;
    if ((pid_t)syscall(SYS_gettid) != main_thread)
        for (;;)
            pause();
}

static void
report_while_reporter_stuck(void *arg)
{
    (void)arg;
    main_thread = getpid();
    on_abort(hang_in_worker_thread);
    pthread_t worker;
    if (pthread_create(&worker, NULL, double_free_in_thread, NULL) != 0)
        abort();
    sleep(1); /* the worker reports, and hangs in its handler */
    void *p = deadbyte_raw_malloc(24);
    deadbyte_raw_free(p);
    deadbyte_raw_free(launder(p)); /* reported after a while, not never */
}

START_TEST(test_reporting_reporter_thread_stuck)
{
    static const char *const patterns[] = {
        "^deadbyte: double free: deadbyte_raw_free was given the 16-byte "
        "block",
        "^Fatal error: deadbyte_raw_free: double free$",
        "^deadbyte: double free: deadbyte_raw_free was given the 24-byte "
        "block",
        "^Fatal error: deadbyte_raw_free: double free$",
        NULL};
    struct death expect = {SIGABRT, patterns};
    expect_death(report_while_reporter_stuck, NULL, &expect);
}
END_TEST

/* ---- Nothing wrong -------------------------------------------------- */

static void
allocate_in_handler(int sig)
{
    (void)sig;
    deadbyte_raw_free(deadbyte_raw_malloc(100));
    deadbyte_raw_free(cache);
}

static void
abort_with_allocating_handler(void *arg)
{
    (void)arg;
    on_abort(allocate_in_handler);
    cache = deadbyte_raw_malloc(32);
    abort(); /* the program's own: deadbyte has nothing to say */
}

START_TEST(test_reporting_program_abort_is_left_alone)
{
    static const char *const none[] = {NULL};
    struct death expect = {SIGABRT, none};
    expect_death(abort_with_allocating_handler, NULL, &expect);
    ck_assert_str_eq(death_output(), "");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("reporting");
    TCase *tc = tcase_create("reporting");
    tcase_set_timeout(tc, 30); /* a stuck reporter is waited for 10 s */
    tcase_add_test(tc, test_reporting_second_error_in_abort_handler);
    tcase_add_test(tc, test_reporting_second_error_ends_process_despite_handler);
    tcase_add_test(tc, test_reporting_reporter_thread_gone);
    tcase_add_test(tc, test_reporting_reporter_thread_stuck);
    tcase_add_test(tc, test_reporting_program_abort_is_left_alone);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
