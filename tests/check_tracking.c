/* SPDX-License-Identifier: MIT */
/*
 * check_tracking.c -- deadbyte_track() and deadbyte_untrack(): CPython's
 * return codes (0, -1 with errno, -2 without hooks); a tracked block is
 * in the leak report and the statistics but has no guards to check;
 * releasing it with deadbyte is a fatal error.
 */
#include "config.h"

#include "death.h"
#include "leaks.h"
#include "modes.h"
#include "options.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static char pool[256];

START_TEST(test_tracking_track_and_untrack)
{
    for (int d = DEADBYTE_DOMAIN_RAW; d <= DEADBYTE_DOMAIN_OBJ; d++) {
        deadbyte_domain_t domain = (deadbyte_domain_t)d;
        ck_assert_int_eq(deadbyte_track(domain, pool, sizeof pool), 0);
        /* Again: the size and traceback are replaced. */
        ck_assert_int_eq(deadbyte_track(domain, pool, 16), 0);
        ck_assert_int_eq(deadbyte_untrack(domain, pool), 0);
        /* Gone: a second untrack is a mistake. */
        errno = 0;
        ck_assert_int_eq(deadbyte_untrack(domain, pool), -1);
        ck_assert_int_eq(errno, EINVAL);
    }
}
END_TEST

START_TEST(test_tracking_bad_arguments)
{
    errno = 0;
    ck_assert_int_eq(deadbyte_track(DEADBYTE_DOMAIN_RAW, NULL, 8), -1);
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_int_eq(deadbyte_track((deadbyte_domain_t)3, pool, 8), -1);
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_int_eq(deadbyte_untrack((deadbyte_domain_t)-1, pool), -1);
    ck_assert_int_eq(errno, EINVAL);

    /* A block deadbyte made is not the program's to track. */
    void *p = deadbyte_raw_malloc(32);
    errno = 0;
    ck_assert_int_eq(deadbyte_track(DEADBYTE_DOMAIN_RAW, p, 32), -1);
    ck_assert_int_eq(errno, EEXIST);
    errno = 0;
    ck_assert_int_eq(deadbyte_untrack(DEADBYTE_DOMAIN_RAW, p), -1);
    ck_assert_int_eq(errno, EINVAL);
    deadbyte_raw_free(p);

    /* One address, one domain. */
    ck_assert_int_eq(deadbyte_track(DEADBYTE_DOMAIN_MEM, pool, 8), 0);
    errno = 0;
    ck_assert_int_eq(deadbyte_track(DEADBYTE_DOMAIN_OBJ, pool, 8), -1);
    ck_assert_int_eq(errno, EEXIST);
    errno = 0;
    ck_assert_int_eq(deadbyte_untrack(DEADBYTE_DOMAIN_OBJ, pool), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(deadbyte_untrack(DEADBYTE_DOMAIN_MEM, pool), 0);
}
END_TEST

/* CPython's -2: not tracing.  Here: the mode has no debug hooks. */
START_TEST(test_tracking_without_hooks)
{
    modes_apply(MODES_PYMALLOC);
    ck_assert_int_eq(deadbyte_track(DEADBYTE_DOMAIN_MEM, pool, 8), -2);
    ck_assert_int_eq(deadbyte_untrack(DEADBYTE_DOMAIN_MEM, pool), -2);
    modes_apply(MODES_MALLOC);
    ck_assert_int_eq(deadbyte_track(DEADBYTE_DOMAIN_RAW, pool, 8), -2);
}
END_TEST

static void
free_tracked(void *arg)
{
    (void)arg;
    deadbyte_track(DEADBYTE_DOMAIN_RAW, pool, sizeof pool);
    deadbyte_raw_free(pool);
}

START_TEST(test_tracking_free_of_tracked_block_is_fatal)
{
    static const char *const patterns[] = {
        "^Memory block at p=0x[0-9a-f]+: 256 bytes registered with "
        "deadbyte_track\\(\\), not allocated by deadbyte$",
        "^Memory block registered at \\(most recent call first\\):$",
        "^Bad call at \\(most recent call first\\):$",
        "^deadbyte: tracked block: deadbyte_raw_free was given the 256-byte "
        "block registered with deadbyte_track \\(API 'r'\\); call "
        "deadbyte_untrack\\(\\) and release it the way it was obtained$",
        "^Fatal error: deadbyte_raw_free: block registered with "
        "deadbyte_track$",
        NULL};
    static const struct death expect = {SIGABRT, patterns};
    expect_death(free_tracked, NULL, &expect);
}
END_TEST

/* The bytes around a tracked block are the program's: the heap check
 * must not read them as guards. */
static void
check_heap_with_tracked(void *arg)
{
    (void)arg;
    memset(pool, 0x42, sizeof pool);
    deadbyte_track(DEADBYTE_DOMAIN_OBJ, pool + 64, 64);
    void *p = deadbyte_obj_malloc(8);
    deadbyte_check_heap();
    deadbyte_obj_free(p);
    deadbyte_untrack(DEADBYTE_DOMAIN_OBJ, pool + 64);
}

START_TEST(test_tracking_heap_check_leaves_tracked_alone)
{
    static const struct death clean = {0, NULL};
    expect_death(check_heap_with_tracked, NULL, &clean);
}
END_TEST

/* A tracked block that nothing points to is a leak, named as tracked. */
static void
leak_tracked(void *arg)
{
    (void)arg;
    ck_assert_int_eq(options_set("leaks", "definite", NULL), 0);
    void *region = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    deadbyte_track(DEADBYTE_DOMAIN_MEM, region, 100);
    /* Forget where it is: only the registry knows now. */
    uintptr_t hidden = (uintptr_t)region ^ 0x5555;
    region = NULL;
    leaks_check((uintptr_t)__builtin_frame_address(0));
    munmap((void *)(hidden ^ 0x5555), 4096);
    abort(); /* a death, so that the report is compared */
}

START_TEST(test_tracking_leak_report)
{
    static const char *const patterns[] = {
        "^Direct leak of 100 bytes in 1 block, registered with "
        "deadbyte_track \\(API 'm'\\); e.g. the block \\(100 bytes\\) at "
        "0x[0-9a-f]+: 00 00 00",
        "^Memory block registered at \\(most recent call first\\):$",
        NULL};
    static const struct death expect = {SIGABRT, patterns};
    expect_death(leak_tracked, NULL, &expect);
    ck_assert_ptr_null(strstr(death_output(), "rerun with"));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("tracking");
    TCase *tc = tcase_create("tracking");
    tcase_add_test(tc, test_tracking_track_and_untrack);
    tcase_add_test(tc, test_tracking_bad_arguments);
    tcase_add_test(tc, test_tracking_without_hooks);
    tcase_add_test(tc, test_tracking_free_of_tracked_block_is_fatal);
    tcase_add_test(tc, test_tracking_heap_check_leaves_tracked_alone);
    tcase_add_test(tc, test_tracking_leak_report);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
