/* SPDX-License-Identifier: MIT */
/*
 * check_options.c -- the DEADBYTE_* variables: every spelling of a value
 * the table accepts, and a clear fatal error for a bad value or an unknown
 * name, read from the environment before the program allocates.
 */
#include "config.h"

#include "death.h"
#include "options.h"
#include "util.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

START_TEST(test_options_bool_spellings)
{
    static const char *const on[] = {"1", "yes", "on", "true"};
    static const char *const off[] = {"0", "no", "off", "false"};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(options_set("serialno", off[i], NULL), 0);
        ck_assert(!options.serialno);
        ck_assert_int_eq(options_set("serialno", on[i], NULL), 0);
        ck_assert(options.serialno);
    }
}
END_TEST

START_TEST(test_options_bad_values_rejected)
{
    static const char *const bad[] = {"", "2", "Yes", "1 ", " 1", "truee", "-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *expected = NULL;
        ck_assert_int_eq(options_set("serialno", bad[i], &expected), -1);
        ck_assert_ptr_nonnull(expected);
    }
    ck_assert(options.serialno); /* unchanged by the failures */
    ck_assert_int_eq(options_set("no_such_option", "1", NULL), -1);
}
END_TEST

START_TEST(test_options_default)
{
    options_init();
    ck_assert(options_ready());
    ck_assert(options.serialno);
}
END_TEST

/* Run this test program again with one variable set: the library reads
 * the environment at load time, so the error comes before main(). */
static char self[4096];

static void
rerun_with(void *entry)
{
    char *envp[] = {entry, NULL};
    char *argv[] = {self, "--child", NULL};
    execve(self, argv, envp);
    _exit(99);
}

START_TEST(test_options_bad_value_is_fatal)
{
    static const char *const patterns[] = {
        "^deadbyte: invalid value 'lots' for DEADBYTE_SERIALNO: expected a "
        "boolean \\(1/0, yes/no, on/off, true/false\\)$",
        NULL};
    struct death expect = {SIGABRT, patterns};
    expect_death(rerun_with, "DEADBYTE_SERIALNO=lots", &expect);
}
END_TEST

START_TEST(test_options_unknown_name_is_fatal)
{
    static const char *const patterns[] = {
        "^deadbyte: unknown variable DEADBYTE_SERIALNUM in the environment; "
        "deadbyte knows: DEADBYTE_SERIALNO DEADBYTE_BREAK_AT "
        "DEADBYTE_BREAK_ACTION DEADBYTE_GDB DEADBYTE_FRAMES "
        "DEADBYTE_QUARANTINE DEADBYTE_QUARANTINE_BLOCKS DEADBYTE_GUARD_PAGES DEADBYTE_GUARD_MAX DEADBYTE_CHECK_EVERY DEADBYTE_MALLOC "
        "DEADBYTE_MALLOCSTATS DEADBYTE_LEAKS "
        "DEADBYTE_SUPPRESSIONS DEADBYTE_LEAK_EXITCODE "
        "DEADBYTE_FOLLOW_CHILDREN DEADBYTE_FORMAT DEADBYTE_LOG_FILE "
        "DEADBYTE_REPORT_DIR "
        "DEADBYTE_FILL_LIMIT DEADBYTE_CHECK_CALLS DEADBYTE_KEEP_GOING "
        "DEADBYTE_ERROR_EXITCODE$",
        NULL};
    struct death expect = {SIGABRT, patterns};
    expect_death(rerun_with, "DEADBYTE_SERIALNUM=1", &expect);
}
END_TEST

START_TEST(test_options_good_value_runs_clean)
{
    static const struct death clean = {0, NULL};
    expect_death(rerun_with, "DEADBYTE_SERIALNO=off", &clean);
}
END_TEST

int
main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        /* The child of rerun_with(): the environment was read at load. */
        return options_ready() ? EXIT_SUCCESS : EXIT_FAILURE;
    }
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len < 0)
        return EXIT_FAILURE;
    self[len] = '\0';

    Suite *s = suite_create("options");
    TCase *tc = tcase_create("environment");
    tcase_add_test(tc, test_options_bool_spellings);
    tcase_add_test(tc, test_options_bad_values_rejected);
    tcase_add_test(tc, test_options_default);
    tcase_add_test(tc, test_options_bad_value_is_fatal);
    tcase_add_test(tc, test_options_unknown_name_is_fatal);
    tcase_add_test(tc, test_options_good_value_runs_clean);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
