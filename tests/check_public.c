/* SPDX-License-Identifier: MIT */
/*
 * check_public.c -- linked against the shared libdeadbyte only, through
 * include/deadbyte.h: every public function is reachable, and a program
 * using them correctly runs clean.
 */
#include "deadbyte.h"

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_public_api_round_trip)
{
    void *(*mallocs[])(size_t) = {deadbyte_raw_malloc, deadbyte_mem_malloc,
                                  deadbyte_obj_malloc};
    void *(*callocs[])(size_t, size_t) = {deadbyte_raw_calloc, deadbyte_mem_calloc,
                                          deadbyte_obj_calloc};
    void *(*reallocs[])(void *, size_t) = {deadbyte_raw_realloc, deadbyte_mem_realloc,
                                           deadbyte_obj_realloc};
    void (*frees[])(void *) = {deadbyte_raw_free, deadbyte_mem_free,
                               deadbyte_obj_free};
    for (int d = 0; d < 3; d++) {
        size_t before = deadbyte_get_serialno();
        unsigned char *p = mallocs[d](10);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq(p[0], 0xCD);
        ck_assert_uint_eq(p[9], 0xCD);
        ck_assert_uint_eq(deadbyte_get_serialno(), before + 1);
        memset(p, 'x', 10);
        p = reallocs[d](p, 20);
        ck_assert_ptr_nonnull(p);
        /* Growing keeps the data and fills the new tail like malloc. */
        ck_assert_mem_eq(p, "xxxxxxxxxx", 10);
        ck_assert_uint_eq(p[10], 0xCD);
        ck_assert_uint_eq(p[19], 0xCD);
        unsigned char *z = callocs[d](4, 4);
        ck_assert_ptr_nonnull(z);
        for (int i = 0; i < 16; i++)
            ck_assert_uint_eq(z[i], 0);
        ck_assert_uint_eq(deadbyte_get_serialno(), before + 3);
        frees[d](p);
        frees[d](z);
    }
    deadbyte_allocator_t a;
    ck_assert_int_eq(deadbyte_get_allocator(DEADBYTE_DOMAIN_OBJ, &a), 0);
    ck_assert_int_eq(deadbyte_set_allocator(DEADBYTE_DOMAIN_OBJ, &a), 0);
    deadbyte_setup_debug_hooks();
    /* The library loaded is the one this header describes. */
    char header_version[32];
    snprintf(header_version, sizeof header_version, "%d.%d.%d",
             DEADBYTE_VERSION_MAJOR, DEADBYTE_VERSION_MINOR,
             DEADBYTE_VERSION_PATCH);
    ck_assert_str_eq(deadbyte_version(), header_version);
    /* The breakpoint function is exported (a debugger needs its symbol)
     * and it is what moves the counter. */
    size_t serial = deadbyte_get_serialno();
    ck_assert_uint_eq(deadbyte_serialno_bump(), serial + 1);
    ck_assert_uint_eq(deadbyte_get_serialno(), serial + 1);
    int *v = DEADBYTE_NEW(int, 3);
    ck_assert_ptr_nonnull(v);
    v[0] = 1, v[1] = 2, v[2] = 3;
    DEADBYTE_RESIZE(v, int, 6);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v[0] + v[1] + v[2], 6);
    v[5] = 6;
    DEADBYTE_DEL(v);
    /* A count whose size overflows is refused, not wrapped around. */
    errno = 0;
    ck_assert_ptr_null(DEADBYTE_NEW(int, SIZE_MAX / 2));
    ck_assert_int_eq(errno, ENOMEM);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("public");
    TCase *tc = tcase_create("api");
    tcase_add_test(tc, test_public_api_round_trip);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
