/* SPDX-License-Identifier: MIT */
/*
 * check_hooks.c -- the debug hooks over a spy base allocator that records
 * what the hooks ask of it and what the block looked like when it was
 * handed back: fills on free and realloc, CPython's erase-before-realloc,
 * failures, and the domain API contracts.
 */
#include "config.h"

#include "block.h"
#include "options.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define S SST

/* ---- The spy base allocator ------------------------------------------ */

static struct {
    size_t last_request; /* bytes asked of malloc/calloc/realloc */
    unsigned char seen[8192];
    size_t seen_len; /* bytes of the block copied at free/realloc time */
    int fail_malloc, fail_realloc;
    int frees;
} spy;

static void
spy_record(const void *base, size_t len)
{
    spy.seen_len = len < sizeof spy.seen ? len : sizeof spy.seen;
    memcpy(spy.seen, base, spy.seen_len);
}

static void *
spy_malloc(void *ctx, size_t n)
{
    (void)ctx;
    spy.last_request = n;
    return spy.fail_malloc ? NULL : malloc(n);
}

static void *
spy_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void)ctx;
    spy.last_request = nelem * elsize;
    return spy.fail_malloc ? NULL : calloc(nelem, elsize);
}

/* The block the hooks pass to realloc/free starts 2S before p, and its
 * length is what the hooks asked for it last. */
static size_t spy_block_len;

static void *
spy_realloc(void *ctx, void *base, size_t n)
{
    (void)ctx;
    spy_record(base, spy_block_len);
    spy.last_request = n;
    if (spy.fail_realloc) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(base, n);
}

static void
spy_free(void *ctx, void *base)
{
    (void)ctx;
    spy_record(base, spy_block_len);
    spy.frees++;
    free(base);
}

static const deadbyte_allocator_t spy_allocator = {
    NULL, spy_malloc, spy_calloc, spy_realloc, spy_free,
};

static void
spy_setup(void)
{
    memset(&spy, 0, sizeof spy);
    ck_assert_int_eq(options_set("serialno", "1", NULL), 0);
    /* Freed blocks go straight back to the spy, to be looked at. */
    ck_assert_int_eq(options_set("quarantine", "0", NULL), 0);
    ck_assert_int_eq(deadbyte_set_allocator(DEADBYTE_DOMAIN_MEM, &spy_allocator), 0);
    deadbyte_setup_debug_hooks();
}

static void
spy_teardown(void)
{
}

/* A mem block of N bytes holding the pattern i*7+3. */
static unsigned char *
patterned(size_t n)
{
    unsigned char *p = launder(deadbyte_mem_malloc(n));
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 7 + 3);
    spy_block_len = n + 4 * S;
    return p;
}

static void
assert_pattern(const unsigned char *p, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (p[i] != (unsigned char)(i * 7 + 3))
            ck_abort_msg("data byte %zu is 0x%02x, not the pattern", i, p[i]);
}

static void
assert_all(const unsigned char *p, size_t from, size_t to, unsigned char b)
{
    for (size_t i = from; i < to; i++)
        if (p[i] != b)
            ck_abort_msg("byte %zu is 0x%02x, expected 0x%02x", i, p[i], b);
}

/* ---- Fills --------------------------------------------------------- */

START_TEST(test_hooks_request_is_size_plus_overhead)
{
    void *p = deadbyte_mem_malloc(100);
    ck_assert_uint_eq(spy.last_request, 100 + 4 * S);
    deadbyte_mem_free(p);
    ck_assert_int_eq(options_set("serialno", "0", NULL), 0);
    p = deadbyte_mem_calloc(10, 10);
    ck_assert_uint_eq(spy.last_request, 100 + 3 * S);
    spy_block_len = 100 + 3 * S;
    deadbyte_mem_free(p);
}
END_TEST

START_TEST(test_hooks_free_fills_whole_block)
{
    unsigned char *p = patterned(40);
    deadbyte_mem_free(p);
    ck_assert_int_eq(spy.frees, 1);
    ck_assert_uint_eq(spy.seen_len, 40 + 4 * S);
    assert_all(spy.seen, 0, spy.seen_len, 0xDD);
}
END_TEST

START_TEST(test_hooks_free_null_is_noop)
{
    deadbyte_mem_free(NULL);
    ck_assert_int_eq(spy.frees, 0);
}
END_TEST

/* ---- Realloc ------------------------------------------------------- */

START_TEST(test_hooks_realloc_grow_small)
{
    unsigned char *p = patterned(10);
    size_t before = deadbyte_get_serialno();
    unsigned char *q = launder(deadbyte_mem_realloc(p, 100));
    ck_assert_ptr_nonnull(q);
    /* The old block was erased whole before the base realloc. */
    assert_all(spy.seen, 0, 10 + 4 * S, 0xDD);
    assert_pattern(q, 0, 10);
    assert_all(q, 10, 100, 0xCD);
    ck_assert_uint_eq(block_size(q), 100);
    ck_assert_int_eq(block_check(q, 'm', true, SIZE_MAX), BLOCK_OK);
    ck_assert_uint_eq(block_serial(q), before + 1);
    spy_block_len = 100 + 4 * S;
    deadbyte_mem_free(q);
}
END_TEST

START_TEST(test_hooks_realloc_shrink_small)
{
    unsigned char *p = patterned(100);
    unsigned char *q = launder(deadbyte_mem_realloc(p, 10));
    ck_assert_ptr_nonnull(q);
    /* The cut-off bytes were DEADBYTE before the base took them back. */
    assert_all(spy.seen, 0, 100 + 4 * S, 0xDD);
    assert_pattern(q, 0, 10);
    ck_assert_uint_eq(block_size(q), 10);
    ck_assert_int_eq(block_check(q, 'm', true, SIZE_MAX), BLOCK_OK);
    spy_block_len = 10 + 4 * S;
    deadbyte_mem_free(q);
}
END_TEST

START_TEST(test_hooks_realloc_same_size)
{
    unsigned char *p = patterned(33);
    unsigned char *q = launder(deadbyte_mem_realloc(p, 33));
    ck_assert_ptr_nonnull(q);
    assert_pattern(q, 0, 33);
    ck_assert_int_eq(block_check(q, 'm', true, SIZE_MAX), BLOCK_OK);
    deadbyte_mem_free(q);
}
END_TEST

START_TEST(test_hooks_realloc_grow_large)
{
    unsigned char *p = patterned(1000);
    unsigned char *q = launder(deadbyte_mem_realloc(p, 5000));
    ck_assert_ptr_nonnull(q);
    /* Header and first 64 bytes erased, the middle left for the base to
     * copy, the last 64 bytes and the trailer erased. */
    unsigned char *old = spy.seen + 2 * S;
    assert_all(spy.seen, 0, 2 * S + 64, 0xDD);
    assert_pattern(old, 64, 1000 - 64);
    assert_all(old, 1000 - 64, 1000 + 2 * S, 0xDD);
    assert_pattern(q, 0, 1000);
    assert_all(q, 1000, 5000, 0xCD);
    ck_assert_int_eq(block_check(q, 'm', true, SIZE_MAX), BLOCK_OK);
    spy_block_len = 5000 + 4 * S;
    deadbyte_mem_free(q);
}
END_TEST

START_TEST(test_hooks_realloc_shrink_large)
{
    unsigned char *p = patterned(1000);
    unsigned char *q = launder(deadbyte_mem_realloc(p, 500));
    ck_assert_ptr_nonnull(q);
    unsigned char *old = spy.seen + 2 * S;
    assert_all(spy.seen, 0, 2 * S + 64, 0xDD);
    assert_pattern(old, 64, 500);
    /* Everything cut off is DEADBYTE. */
    assert_all(old, 500, 1000 + 2 * S, 0xDD);
    assert_pattern(q, 0, 500);
    ck_assert_int_eq(block_check(q, 'm', true, SIZE_MAX), BLOCK_OK);
    spy_block_len = 500 + 4 * S;
    deadbyte_mem_free(q);
}
END_TEST

START_TEST(test_hooks_realloc_shrink_into_last_64)
{
    /* The new end falls inside the saved last 64 bytes. */
    unsigned char *p = patterned(1000);
    unsigned char *q = launder(deadbyte_mem_realloc(p, 980));
    ck_assert_ptr_nonnull(q);
    assert_pattern(q, 0, 980);
    ck_assert_int_eq(block_check(q, 'm', true, SIZE_MAX), BLOCK_OK);
    deadbyte_mem_free(q);
}
END_TEST

START_TEST(test_hooks_realloc_failed_grow_keeps_block)
{
    size_t sizes[] = {10, 100, 128, 129, 1000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        unsigned char *p = patterned(n);
        size_t serial = block_serial(p);
        size_t counter = deadbyte_get_serialno();
        spy.fail_realloc = 1;
        errno = 0;
        ck_assert_ptr_null(deadbyte_mem_realloc(p, n * 10));
        ck_assert_int_eq(errno, ENOMEM);
        spy.fail_realloc = 0;
        /* The old block is whole again: data, frame and serial. */
        assert_pattern(p, 0, n);
        ck_assert_uint_eq(block_size(p), n);
        ck_assert_int_eq(block_check(p, 'm', true, SIZE_MAX), BLOCK_OK);
        ck_assert_uint_eq(block_serial(p), serial);
        ck_assert_uint_eq(deadbyte_get_serialno(), counter);
        deadbyte_mem_free(p);
    }
}
END_TEST

START_TEST(test_hooks_realloc_failed_shrink_shrinks_in_place)
{
    unsigned char *p = patterned(1000);
    spy.fail_realloc = 1;
    unsigned char *q = launder(deadbyte_mem_realloc(p, 300));
    spy.fail_realloc = 0;
    ck_assert_ptr_eq(q, p);
    assert_pattern(q, 0, 300);
    ck_assert_uint_eq(block_size(q), 300);
    ck_assert_int_eq(block_check(q, 'm', true, SIZE_MAX), BLOCK_OK);
    assert_all(q, 300 + 2 * S, 1000, 0xDD);
    deadbyte_mem_free(q);
}
END_TEST

START_TEST(test_hooks_realloc_too_large_keeps_block)
{
    unsigned char *p = patterned(50);
    errno = 0;
    volatile size_t huge = SIZE_MAX - 1;
    ck_assert_ptr_null(deadbyte_mem_realloc(p, huge));
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_ptr_null(deadbyte_mem_realloc(p, (size_t)PTRDIFF_MAX - S));
    assert_pattern(p, 0, 50);
    ck_assert_int_eq(block_check(p, 'm', true, SIZE_MAX), BLOCK_OK);
    deadbyte_mem_free(p);
}
END_TEST

START_TEST(test_hooks_realloc_null_and_zero)
{
    unsigned char *p = launder(deadbyte_mem_realloc(NULL, 20));
    ck_assert_ptr_nonnull(p);
    assert_all(p, 0, 20, 0xCD);
    spy_block_len = 20 + 4 * S;
    unsigned char *q = launder(deadbyte_mem_realloc(p, 0));
    ck_assert_ptr_nonnull(q); /* a zero-byte block, not a free */
    ck_assert_int_eq(spy.frees, 0);
    ck_assert_uint_eq(block_size(q), 0);
    spy_block_len = 4 * S;
    deadbyte_mem_free(q);
    ck_assert_int_eq(spy.frees, 1);
}
END_TEST

START_TEST(test_hooks_failed_malloc_takes_no_serial)
{
    size_t counter = deadbyte_get_serialno();
    spy.fail_malloc = 1;
    ck_assert_ptr_null(deadbyte_mem_malloc(10));
    ck_assert_ptr_null(deadbyte_mem_calloc(10, 1));
    spy.fail_malloc = 0;
    ck_assert_uint_eq(deadbyte_get_serialno(), counter);
}
END_TEST

START_TEST(test_hooks_errno_kept_on_success)
{
    errno = 4242;
    void *p = deadbyte_mem_malloc(8);
    void *q = deadbyte_mem_realloc(p, 80);
    spy_block_len = 80 + 4 * S;
    deadbyte_mem_free(q);
    ck_assert_int_eq(errno, 4242);
}
END_TEST

/* ---- Domains and allocators ----------------------------------------- */

START_TEST(test_hooks_setup_is_idempotent)
{
    deadbyte_allocator_t once, twice;
    ck_assert_int_eq(deadbyte_get_allocator(DEADBYTE_DOMAIN_MEM, &once), 0);
    deadbyte_setup_debug_hooks();
    deadbyte_setup_debug_hooks();
    ck_assert_int_eq(deadbyte_get_allocator(DEADBYTE_DOMAIN_MEM, &twice), 0);
    ck_assert_ptr_eq(once.ctx, twice.ctx);
    ck_assert_ptr_eq((void *)once.malloc, (void *)twice.malloc);
    /* One layer of hooks: the base is asked for N + 4S, not N + 8S. */
    void *p = deadbyte_mem_malloc(10);
    ck_assert_uint_eq(spy.last_request, 10 + 4 * S);
    spy_block_len = 10 + 4 * S;
    deadbyte_mem_free(p);
}
END_TEST

START_TEST(test_hooks_set_allocator_removes_hooks)
{
    ck_assert_int_eq(deadbyte_set_allocator(DEADBYTE_DOMAIN_MEM, &spy_allocator), 0);
    unsigned char *p = deadbyte_mem_malloc(10);
    ck_assert_uint_eq(spy.last_request, 10);
    spy_block_len = 10;
    deadbyte_mem_free(p);
    /* And the hooks go back on top of it. */
    deadbyte_setup_debug_hooks();
    p = launder(deadbyte_mem_malloc(10));
    ck_assert_uint_eq(spy.last_request, 10 + 4 * S);
    ck_assert_uint_eq(block_api(p), 'm');
    spy_block_len = 10 + 4 * S;
    deadbyte_mem_free(p);
}
END_TEST

START_TEST(test_hooks_bad_domain_arguments)
{
    deadbyte_allocator_t a;
    errno = 0;
    ck_assert_int_eq(deadbyte_get_allocator((deadbyte_domain_t)3, &a), -1);
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_int_eq(deadbyte_get_allocator(DEADBYTE_DOMAIN_RAW, NULL), -1);
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_int_eq(deadbyte_set_allocator((deadbyte_domain_t)-1, &spy_allocator), -1);
    ck_assert_int_eq(errno, EINVAL);
    deadbyte_allocator_t incomplete = spy_allocator;
    incomplete.free = NULL;
    errno = 0;
    ck_assert_int_eq(deadbyte_set_allocator(DEADBYTE_DOMAIN_RAW, &incomplete), -1);
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_hooks_new_resize_del_macros)
{
    double *d = DEADBYTE_NEW(double, 4);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(spy.last_request, 4 * sizeof(double) + 4 * S);
    spy_block_len = 4 * sizeof(double) + 4 * S;
    d[3] = 1.5;
    DEADBYTE_RESIZE(d, double, 100);
    ck_assert_ptr_nonnull(d);
    ck_assert(d[3] == 1.5);
    spy_block_len = 100 * sizeof(double) + 4 * S;
    DEADBYTE_DEL(d);
    errno = 0;
    ck_assert_ptr_null(DEADBYTE_NEW(double, SIZE_MAX / 4));
    ck_assert_int_eq(errno, ENOMEM);
    double *keep = DEADBYTE_NEW(double, 1), *e = keep;
    errno = 0;
    DEADBYTE_RESIZE(e, double, SIZE_MAX / 2);
    ck_assert_ptr_null(e);
    ck_assert_int_eq(errno, ENOMEM);
    spy_block_len = sizeof(double) + 4 * S;
    DEADBYTE_DEL(keep);
}
END_TEST

START_TEST(test_hooks_version)
{
    ck_assert_str_eq(deadbyte_version(), PACKAGE_VERSION);
}
END_TEST

/* ---- Out of memory for the registry ------------------------------- */

/* A base allocator that hands out 64-byte pieces of a static pool, so
 * that it keeps working when mmap no longer does. */
#define POOL_PIECE 64
#define POOL_PIECES 65536
static _Alignas(16) unsigned char pool[POOL_PIECE * POOL_PIECES];
static size_t pool_used, pool_frees;

static void *
pool_malloc(void *ctx, size_t n)
{
    (void)ctx;
    if (n > POOL_PIECE || pool_used == POOL_PIECES)
        return NULL;
    return pool + POOL_PIECE * pool_used++;
}

static void *
pool_calloc(void *ctx, size_t nelem, size_t elsize)
{
    unsigned char *p = pool_malloc(ctx, nelem * elsize);
    if (p)
        memset(p, 0, nelem * elsize);
    return p;
}

static void *
pool_realloc(void *ctx, void *base, size_t n)
{
    (void)ctx, (void)base, (void)n;
    return NULL;
}

static void
pool_free(void *ctx, void *base)
{
    (void)ctx, (void)base;
    pool_frees++;
}

static const deadbyte_allocator_t pool_allocator = {
    NULL, pool_malloc, pool_calloc, pool_realloc, pool_free,
};

/*
 * With no address space left (and a base that needs none), the registry
 * cannot grow: malloc must fail with ENOMEM and give the base block back,
 * not hand out a block it did not record -- every block it did hand out
 * is then freed without a report.
 */
START_TEST(test_hooks_registry_out_of_memory_fails_malloc)
{
    static void *blocks[POOL_PIECES];
    ck_assert_int_eq(deadbyte_set_allocator(DEADBYTE_DOMAIN_MEM,
                                            &pool_allocator), 0);
    deadbyte_setup_debug_hooks();
    /* A little room for the stack to grow, less than any table. */
    struct rlimit limit = {address_space() + 32 * 1024, RLIM_INFINITY};
    ck_assert_int_eq(setrlimit(RLIMIT_AS, &limit), 0);
    size_t made = 0;
    void *p;
    errno = 0;
    while ((p = deadbyte_mem_malloc(8)) != NULL) {
        blocks[made++] = p;
        ck_assert_msg(pool_used < POOL_PIECES,
                      "%zu blocks handed out: the registry never ran out",
                      made);
    }
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_uint_eq(pool_used, made + 1);
    ck_assert_uint_eq(pool_frees, 1);
    for (size_t i = 0; i < made; i++)
        deadbyte_mem_free(blocks[i]);
    ck_assert_uint_eq(pool_frees, made + 1);
}
END_TEST

static Suite *
hooks_suite(void)
{
    Suite *s = suite_create("hooks");
    TCase *fills = tcase_create("fills");
    tcase_add_checked_fixture(fills, spy_setup, spy_teardown);
    tcase_add_test(fills, test_hooks_request_is_size_plus_overhead);
    tcase_add_test(fills, test_hooks_free_fills_whole_block);
    tcase_add_test(fills, test_hooks_free_null_is_noop);
    suite_add_tcase(s, fills);

    TCase *realloc_tc = tcase_create("realloc");
    tcase_add_checked_fixture(realloc_tc, spy_setup, spy_teardown);
    tcase_add_test(realloc_tc, test_hooks_realloc_grow_small);
    tcase_add_test(realloc_tc, test_hooks_realloc_shrink_small);
    tcase_add_test(realloc_tc, test_hooks_realloc_same_size);
    tcase_add_test(realloc_tc, test_hooks_realloc_grow_large);
    tcase_add_test(realloc_tc, test_hooks_realloc_shrink_large);
    tcase_add_test(realloc_tc, test_hooks_realloc_shrink_into_last_64);
    tcase_add_test(realloc_tc, test_hooks_realloc_failed_grow_keeps_block);
    tcase_add_test(realloc_tc, test_hooks_realloc_failed_shrink_shrinks_in_place);
    tcase_add_test(realloc_tc, test_hooks_realloc_too_large_keeps_block);
    tcase_add_test(realloc_tc, test_hooks_realloc_null_and_zero);
    tcase_add_test(realloc_tc, test_hooks_failed_malloc_takes_no_serial);
    tcase_add_test(realloc_tc, test_hooks_errno_kept_on_success);
    suite_add_tcase(s, realloc_tc);

    TCase *domains = tcase_create("domains");
    tcase_add_checked_fixture(domains, spy_setup, spy_teardown);
    tcase_add_test(domains, test_hooks_setup_is_idempotent);
    tcase_add_test(domains, test_hooks_set_allocator_removes_hooks);
    tcase_add_test(domains, test_hooks_bad_domain_arguments);
    tcase_add_test(domains, test_hooks_new_resize_del_macros);
    tcase_add_test(domains, test_hooks_version);
    suite_add_tcase(s, domains);

    TCase *no_memory = tcase_create("no_memory");
    tcase_add_checked_fixture(no_memory, spy_setup, spy_teardown);
    tcase_add_test(no_memory, test_hooks_registry_out_of_memory_fails_malloc);
    suite_add_tcase(s, no_memory);
    return s;
}

int
main(void)
{
    return run_suite(hooks_suite());
}
