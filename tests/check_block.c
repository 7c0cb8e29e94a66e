/* SPDX-License-Identifier: MIT */
/*
 * check_block.c -- the debug block, byte for byte (DESIGN.md section 2),
 * for every domain, over boundary sizes, with serial numbers on and off.
 */
#include "config.h"

#include "block.h"
#include "options.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S SST

static const size_t sizes[] = {0, 1, S - 1, S, S + 1, 4096, 1 << 20};
#define N_SIZES (sizeof sizes / sizeof sizes[0])

/* Loop index -> (domain, size). */
static const struct domain_api *
pick(int i, size_t *n)
{
    *n = sizes[i % N_SIZES];
    return &domain_apis[i / N_SIZES];
}

static void
set_serialno(const char *value)
{
    ck_assert_int_eq(options_set("serialno", value, NULL), 0);
}

/* Assert the header, pads and serial of the block at P of N bytes. */
static void
assert_frame(const unsigned char *p, size_t n, char id, bool with_serial,
             size_t serial)
{
    /* p[-2S:-S]: N, big-endian, byte by byte. */
    for (size_t i = 0; i < S; i++)
        ck_assert_uint_eq(p[-2 * (ptrdiff_t)S + (ptrdiff_t)i],
                          (n >> (8 * (S - 1 - i))) & 0xff);
    ck_assert_uint_eq(p[-(ptrdiff_t)S], (unsigned char)id);
    for (size_t i = 1; i < S; i++)
        ck_assert_uint_eq(p[-(ptrdiff_t)i], 0xFD);
    for (size_t i = 0; i < S; i++)
        ck_assert_uint_eq(p[n + i], 0xFD);
    if (with_serial)
        for (size_t i = 0; i < S; i++)
            ck_assert_uint_eq(p[n + S + i],
                              (serial >> (8 * (S - 1 - i))) & 0xff);
}

static void
assert_fill(const unsigned char *p, size_t n, unsigned char byte)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != byte)
            ck_abort_msg("byte %zu of %zu is 0x%02x, expected 0x%02x", i, n,
                         p[i], byte);
}

START_TEST(test_block_malloc_layout)
{
    size_t n;
    const struct domain_api *d = pick(_i, &n);
    set_serialno("1");
    unsigned char *p = d->malloc(n);
    ck_assert_ptr_nonnull(p);
    assert_frame(p, n, d->id, true, deadbyte_get_serialno());
    assert_fill(p, n, 0xCD);
    d->free(p);
}
END_TEST

START_TEST(test_block_calloc_layout)
{
    size_t n;
    const struct domain_api *d = pick(_i, &n);
    set_serialno("1");
    unsigned char *p = d->calloc(n, 1);
    ck_assert_ptr_nonnull(p);
    assert_frame(p, n, d->id, true, deadbyte_get_serialno());
    assert_fill(p, n, 0);
    d->free(p);
}
END_TEST

START_TEST(test_block_layout_without_serial)
{
    size_t n;
    const struct domain_api *d = pick(_i, &n);
    set_serialno("0");
    size_t before = deadbyte_get_serialno();
    unsigned char *p = d->malloc(n);
    ck_assert_ptr_nonnull(p);
    assert_frame(p, n, d->id, false, 0);
    assert_fill(p, n, 0xCD);
    /* No number is taken, and the base holds exactly N + 3S bytes. */
    ck_assert_uint_eq(deadbyte_get_serialno(), before);
    ck_assert_uint_eq(block_overhead(false), 3 * S);
    d->free(p);
    set_serialno("1");
}
END_TEST

START_TEST(test_block_serial_numbers_count_up)
{
    const struct domain_api *d = &domain_apis[_i];
    set_serialno("1");
    unsigned char *a = launder(d->malloc(10));
    size_t first = deadbyte_get_serialno();
    unsigned char *b = launder(d->calloc(3, 3));
    unsigned char *c = launder(d->realloc(d->malloc(5), 7));
    ck_assert_uint_eq(block_serial(a), first);
    ck_assert_uint_eq(block_serial(b), first + 1);
    /* malloc(5) took first + 2, the realloc first + 3. */
    ck_assert_uint_eq(block_serial(c), first + 3);
    ck_assert_uint_eq(deadbyte_get_serialno(), first + 3);
    d->free(a);
    d->free(b);
    d->free(c);
}
END_TEST

START_TEST(test_block_zero_bytes_distinct)
{
    const struct domain_api *d = &domain_apis[_i];
    unsigned char *a = launder(d->malloc(0)), *b = d->malloc(0);
    unsigned char *c = d->calloc(0, 5), *e = d->realloc(NULL, 0);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_ne(a, b);
    ck_assert_ptr_ne(a, c);
    ck_assert_ptr_ne(c, e);
    assert_frame(a, 0, d->id, true, block_serial(a));
    d->free(a);
    d->free(b);
    d->free(c);
    d->free(e);
}
END_TEST

START_TEST(test_block_size_overflow_is_enomem)
{
    const struct domain_api *d = &domain_apis[_i];
    static const size_t huge[] = {SIZE_MAX, SIZE_MAX - S, (size_t)PTRDIFF_MAX,
                                  (size_t)PTRDIFF_MAX - 2 * S};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        errno = 0;
        ck_assert_ptr_null(d->malloc(huge[i]));
        ck_assert_int_eq(errno, ENOMEM);
        errno = 0;
        ck_assert_ptr_null(d->calloc(1, huge[i]));
        ck_assert_int_eq(errno, ENOMEM);
    }
    /* nelem * elsize overflows size_t. */
    errno = 0;
    ck_assert_ptr_null(d->calloc(SIZE_MAX / 2 + 2, 2));
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    ck_assert_ptr_null(d->calloc((size_t)1 << (4 * S), (size_t)1 << (4 * S)));
    ck_assert_int_eq(errno, ENOMEM);
}
END_TEST

/*
 * --fill-limit: a block of the limit is laid out byte for byte as any
 * other; one byte more, and only the first and last BLOCK_FILL_END bytes
 * of its data get 0xCD, and at free 0xDD -- the header, pads and serial
 * number stay exact.  (The freed block is read while the quarantine
 * holds it.)
 */
START_TEST(test_block_fill_limit)
{
    const struct domain_api *d = &domain_apis[_i];
    const size_t limit = 4 * BLOCK_FILL_END, end = BLOCK_FILL_END;
    ck_assert_int_eq(options_set("fill_limit", "16K", NULL), 0);
    set_serialno("1");
    unsigned char *p = launder(d->malloc(limit));
    assert_frame(p, limit, d->id, true, deadbyte_get_serialno());
    assert_fill(p, limit, 0xCD);
    d->free(p);
    assert_fill(launder(p) - 2 * S, limit + 4 * S, 0xDD);

    size_t n = limit + 1;
    p = launder(d->malloc(n));
    assert_frame(p, n, d->id, true, deadbyte_get_serialno());
    assert_fill(p, end, 0xCD);
    assert_fill(p + n - end, end, 0xCD);
    memset(p + end, 0x5A, n - 2 * end); /* what the fills must not touch */
    d->free(p);
    p = launder(p);
    assert_fill(p - 2 * S, 2 * S + end, 0xDD);
    assert_fill(p + end, n - 2 * end, 0x5A);
    assert_fill(p + n - end, end + 2 * S, 0xDD);
    /* The limit stays for the check at exit: a process has one, and each
     * test runs in a process of its own. */
}
END_TEST

START_TEST(test_block_big_endian_helpers)
{
    unsigned char buf[sizeof(size_t)];
    block_put_be(buf, 0x0102);
    for (size_t i = 0; i < S - 2; i++)
        ck_assert_uint_eq(buf[i], 0);
    ck_assert_uint_eq(buf[S - 2], 1);
    ck_assert_uint_eq(buf[S - 1], 2);
    ck_assert_uint_eq(block_get_be(buf), 0x0102);
    block_put_be(buf, SIZE_MAX);
    ck_assert_uint_eq(block_get_be(buf), SIZE_MAX);
}
END_TEST

START_TEST(test_block_check_faults)
{
    set_serialno("1");
    unsigned char *p = launder(deadbyte_mem_malloc(16));
    ck_assert_int_eq(block_check(p, 'm', true, SIZE_MAX), BLOCK_OK);
    ck_assert_int_eq(block_check(p, 'r', true, SIZE_MAX), BLOCK_BAD_ID);
    ck_assert_int_eq(block_check(p, 'm', true, 16 + 4 * S - 1),
                     BLOCK_BAD_SIZE);
    p[16] = 'x';
    ck_assert_int_eq(block_check(p, 'm', true, SIZE_MAX),
                     BLOCK_BAD_TRAILING_PAD);
    p[16] = 0xFD;
    p[-1] = 'x';
    ck_assert_int_eq(block_check(p, 'm', true, SIZE_MAX),
                     BLOCK_BAD_LEADING_PAD);
    p[-1] = 0xFD;
    ck_assert_int_eq(block_check(p, 'm', true, SIZE_MAX), BLOCK_OK);
    deadbyte_mem_free(p);
}
END_TEST

/* The placement of a block in pages with a guard page after its data:
 * as near the page as its alignment allows, the bytes up to it a pad;
 * before its data: at their start. */
START_TEST(test_block_place_guarded)
{
    static _Alignas(64) unsigned char pages[256];
    static const struct {
        size_t n, gap; /* the pad up to the page */
    } cases[] = {{40, 0}, {100, 4}, {1, 0}, {3, 0}, {7, 0}, {17, 7}, {0, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = cases[i].n;
        memset(pages, 0, sizeof pages);
        unsigned char *p = block_place_guarded(pages, sizeof pages, n,
                                               BLOCK_GUARD_AFTER);
        ck_assert_ptr_eq(p + n + cases[i].gap, pages + sizeof pages);
        ck_assert_uint_eq(block_guarded_gap((uintptr_t)p, n, 64),
                          cases[i].gap);
        for (size_t k = 0; k < cases[i].gap; k++)
            ck_assert_uint_eq(p[n + k], FORBIDDENBYTE);
        ck_assert_uint_eq(p[-1], 0); /* the header is the hooks' */
        ck_assert_ptr_eq(block_place_guarded(pages, sizeof pages, n,
                                             BLOCK_GUARD_BEFORE),
                         pages);
    }
    /* Room for the header (and its alignment) before, the trailer after. */
    ck_assert_uint_eq(block_guarded_before(BLOCK_GUARD_AFTER), 2 * S + 15);
    ck_assert_uint_eq(block_guarded_before(BLOCK_GUARD_BEFORE), 0);
    ck_assert_uint_eq(block_guarded_after(BLOCK_GUARD_BEFORE, true), 2 * S);
    ck_assert_uint_eq(block_guarded_after(BLOCK_GUARD_BEFORE, false), S);
    ck_assert_uint_eq(block_guarded_after(BLOCK_GUARD_AFTER, true), 0);
}
END_TEST

/* An aligned block: ALIGN bytes into its base, the gap before its header
 * FORBIDDENBYTE. */
START_TEST(test_block_place_aligned)
{
    static _Alignas(128) unsigned char base[256];
    for (size_t align = 4 * S; align <= 128; align *= 2) {
        memset(base, 0, sizeof base);
        unsigned char *p = block_place_aligned(base, align);
        ck_assert_ptr_eq(p, base + align);
        ck_assert_uint_eq((uintptr_t)p % align, 0);
        assert_fill(base, align - BLOCK_HEADER_SIZE, FORBIDDENBYTE);
        assert_fill(p - BLOCK_HEADER_SIZE, BLOCK_HEADER_SIZE + 8, 0);
    }
}
END_TEST

/* What a freed block spans: header to trailer, or its whole pages. */
START_TEST(test_block_freed_bytes)
{
    size_t page = (size_t)getpagesize();
    ck_assert_uint_eq(block_trailer_size(true), 2 * S);
    ck_assert_uint_eq(block_trailer_size(false), S);
    ck_assert_uint_eq(block_freed_bytes(2 * S, 10, BLOCK_GUARD_NONE, true),
                      4 * S + 10);
    ck_assert_uint_eq(block_freed_bytes(64, 10, BLOCK_GUARD_NONE, false),
                      64 + 10 + S);
    ck_assert_uint_eq(block_freed_bytes(page - 10, 10, BLOCK_GUARD_AFTER,
                                        true),
                      page);
    ck_assert_uint_eq(block_freed_bytes(page - 10, 11, BLOCK_GUARD_AFTER,
                                        true),
                      2 * page);
    ck_assert_uint_eq(block_freed_bytes(0, 10, BLOCK_GUARD_BEFORE, true),
                      page);
    ck_assert_uint_eq(block_freed_bytes(0, page - S, BLOCK_GUARD_BEFORE,
                                        false),
                      page);
    ck_assert_uint_eq(block_freed_bytes(0, page - S, BLOCK_GUARD_BEFORE,
                                        true),
                      2 * page);
}
END_TEST

/* block_find_fault: the size from the record, CPython's order, and the
 * blocks that a guard page leaves without a trailer or a header. */
START_TEST(test_block_find_fault)
{
    static _Alignas(16) unsigned char buf[128];
    unsigned char *p = buf + 2 * S;
    memset(buf, 0, sizeof buf);
    block_write_header(p, 20, 'r');
    block_write_trailer(p, 20, true, 7);
    ck_assert_int_eq(block_find_fault(p, 20, 'r', BLOCK_GUARD_NONE, 'r',
                                      true),
                     BLOCK_OK);
    ck_assert_int_eq(block_find_fault(p, 20, 'm', BLOCK_GUARD_NONE, 'r',
                                      true),
                     BLOCK_BAD_ID);
    ck_assert_int_eq(block_find_fault(p, 21, 'r', BLOCK_GUARD_NONE, 'r',
                                      true),
                     BLOCK_BAD_SIZE);
    p[20 + S - 1] = 0;
    ck_assert_int_eq(block_find_fault(p, 20, 'r', BLOCK_GUARD_NONE, 'r',
                                      true),
                     BLOCK_BAD_TRAILING_PAD);
    p[-1] = 0;
    ck_assert_int_eq(block_find_fault(p, 20, 'r', BLOCK_GUARD_NONE, 'r',
                                      true),
                     BLOCK_BAD_LEADING_PAD);

    /* A guard page before the data: no header; the record's API id. */
    memset(buf, 0, sizeof buf);
    block_write_trailer(buf, 20, true, 7);
    ck_assert_int_eq(block_find_fault(buf, 20, 'n', BLOCK_GUARD_BEFORE, 'n',
                                      true),
                     BLOCK_OK);
    ck_assert_int_eq(block_find_fault(buf, 20, 'a', BLOCK_GUARD_BEFORE, 'n',
                                      true),
                     BLOCK_BAD_ID);
    buf[20] = 0;
    ck_assert_int_eq(block_find_fault(buf, 20, 'n', BLOCK_GUARD_BEFORE, 'n',
                                      true),
                     BLOCK_BAD_TRAILING_PAD);
}
END_TEST

/* A guard page after the data: the pad is the bytes up to the page. */
START_TEST(test_block_find_fault_guard_after)
{
    size_t page = (size_t)getpagesize();
    unsigned char *pages = aligned_alloc(page, page);
    ck_assert_ptr_nonnull(pages);
    memset(pages, 0, page);
    unsigned char *p = block_place_guarded(pages, page, 100,
                                           BLOCK_GUARD_AFTER);
    block_write_header(p, 100, 'r');
    ck_assert_int_eq(block_find_fault(p, 100, 'r', BLOCK_GUARD_AFTER, 'r',
                                      true),
                     BLOCK_OK);
    ck_assert_int_eq(block_find_fault(p, 99, 'r', BLOCK_GUARD_AFTER, 'r',
                                      true),
                     BLOCK_BAD_SIZE);
    p[103] = 0; /* the last byte of the pad, before the page */
    ck_assert_int_eq(block_find_fault(p, 100, 'r', BLOCK_GUARD_AFTER, 'r',
                                      true),
                     BLOCK_BAD_TRAILING_PAD);
    free(pages);
}
END_TEST

static Suite *
block_suite(void)
{
    Suite *s = suite_create("block");
    TCase *tc = tcase_create("layout");
    int all = (int)(3 * N_SIZES);
    tcase_add_loop_test(tc, test_block_malloc_layout, 0, all);
    tcase_add_loop_test(tc, test_block_calloc_layout, 0, all);
    tcase_add_loop_test(tc, test_block_layout_without_serial, 0, all);
    tcase_add_loop_test(tc, test_block_serial_numbers_count_up, 0, 3);
    tcase_add_loop_test(tc, test_block_zero_bytes_distinct, 0, 3);
    tcase_add_loop_test(tc, test_block_size_overflow_is_enomem, 0, 3);
    tcase_add_loop_test(tc, test_block_fill_limit, 0, 3);
    tcase_add_test(tc, test_block_big_endian_helpers);
    tcase_add_test(tc, test_block_check_faults);
    tcase_add_test(tc, test_block_place_guarded);
    tcase_add_test(tc, test_block_place_aligned);
    tcase_add_test(tc, test_block_freed_bytes);
    tcase_add_test(tc, test_block_find_fault);
    tcase_add_test(tc, test_block_find_fault_guard_after);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return run_suite(block_suite());
}
