/* SPDX-License-Identifier: MIT */
/*
 * check_modes.c -- the allocator modes of DEADBYTE_MALLOC: every name
 * parses and a bad one is refused with the list of good ones; each mode
 * puts the domains on the allocators modes.h says, with or without the
 * debug hooks, and every domain then works; and applying the mode at the
 * first call leaves alone an allocator the program set.
 */
#include "config.h"

#include "hooks.h"
#include "libc_base.h"
#include "modes.h"
#include "smallobj.h"
#include "util.h"

#include <string.h>

static const char *const names[] = {
    "default", "debug", "malloc", "malloc_debug", "pymalloc", "pymalloc_debug",
};

START_TEST(test_modes_parse_every_name)
{
    for (int i = 0; i < 6; i++) {
        const char *expected = NULL;
        ck_assert_int_eq(modes_parse(names[i], &expected), i);
        ck_assert_ptr_null(expected);
    }
    ck_assert_int_eq(modes_parse("pymalloc", NULL), MODES_PYMALLOC);
}
END_TEST

START_TEST(test_modes_parse_rejects_others)
{
    static const char *const bad[] = {
        "",        "Debug",   "DEFAULT",      "pymalloc_debugx", "mimalloc",
        "malloc ", " malloc", "malloc-debug", "debug,malloc",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *expected = NULL;
        ck_assert_int_eq(modes_parse(bad[i], &expected), -1);
        ck_assert_str_eq(expected, "default, debug, malloc, malloc_debug, "
                                   "pymalloc or pymalloc_debug");
    }
    ck_assert_int_eq(modes_parse("nope", NULL), -1);
}
END_TEST

/* What each mode must give: the base of raw, of mem and obj, hooks. */
static const struct {
    enum modes_mode mode;
    bool small, hooks;
} table[] = {
    {MODES_DEFAULT, true, true},   {MODES_DEBUG, true, true},
    {MODES_MALLOC, false, false},  {MODES_MALLOC_DEBUG, false, true},
    {MODES_PYMALLOC, true, false}, {MODES_PYMALLOC_DEBUG, true, true},
};

static void
assert_domain(deadbyte_domain_t d, bool small, bool hooks)
{
    deadbyte_allocator_t a;
    ck_assert_int_eq(deadbyte_get_allocator(d, &a), 0);
    ck_assert(hooks_installed(&a) == hooks);
    if (hooks)
        a = ((const struct hooks_ctx *)a.ctx)->base;
    if (small)
        ck_assert(smallobj_is(&a));
    else
        ck_assert_ptr_eq((void *)a.malloc, (void *)libc_base_malloc);
}

START_TEST(test_modes_apply)
{
    bool small = table[_i].small, hooks = table[_i].hooks;
    modes_apply(table[_i].mode);
    assert_domain(DEADBYTE_DOMAIN_RAW, false, hooks);
    assert_domain(DEADBYTE_DOMAIN_MEM, small, hooks);
    assert_domain(DEADBYTE_DOMAIN_OBJ, small, hooks);
    /* Every domain works, across the small/large boundary. */
    for (int d = 0; d < 3; d++) {
        const struct domain_api *api = &domain_apis[d];
        for (size_t n = 0; n < 700; n += 7) {
            unsigned char *p = api->malloc(n);
            ck_assert_ptr_nonnull(p);
            memset(p, 0x11, n);
            /* The block's base allocation: 2S before p with the hooks. */
            const unsigned char *base = hooks ? p - 2 * sizeof(size_t) : p;
            size_t asked = hooks ? n + 4 * sizeof(size_t) : n;
            bool from_pools = d != 0 && small && asked >= 1 && asked <= 512;
            ck_assert(smallobj_owns(base) == from_pools);
            p = api->realloc(p, n + 50);
            ck_assert_uint_eq(n ? p[n - 1] : 0x11, 0x11);
            api->free(p);
            api->free(api->calloc(n, 3));
        }
    }
}
END_TEST

/* The mode is applied once, at load: a program's own allocator, set
 * later, stays. */
START_TEST(test_modes_init_keeps_program_allocator)
{
    modes_init();
    ck_assert_int_eq(
        deadbyte_set_allocator(DEADBYTE_DOMAIN_MEM, &libc_base_allocator), 0);
    void *p = deadbyte_mem_malloc(10);
    modes_init();
    assert_domain(DEADBYTE_DOMAIN_MEM, false, false);
    ck_assert(!smallobj_owns(p));
    deadbyte_mem_free(p);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("modes");
    TCase *parse = tcase_create("parse");
    tcase_add_test(parse, test_modes_parse_every_name);
    tcase_add_test(parse, test_modes_parse_rejects_others);
    suite_add_tcase(s, parse);
    TCase *apply = tcase_create("apply");
    tcase_add_loop_test(apply, test_modes_apply, 0,
                        (int)(sizeof table / sizeof table[0]));
    tcase_add_test(apply, test_modes_init_keeps_program_allocator);
    suite_add_tcase(s, apply);
    return run_suite(s);
}
