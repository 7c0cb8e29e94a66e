/* SPDX-License-Identifier: MIT */
/*
 * check_death.c -- every bad operation the hooks catch, one table row
 * each: it must abort (SIGABRT) and its report must say, line by line,
 * what CPython's would (regexes after CPython's test_capi/test_mem.py),
 * plus deadbyte's plain-words line.  And the correct operations next to
 * them must run with no output at all.
 */
#include "config.h"

#include "block.h"
#include "death.h"
#include "options.h"
#include "util.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define PTR "0x[0-9a-f]+"

/* ---- The bad operations --------------------------------------------- */

static const struct domain_api *
dom(void *arg)
{
    return &domain_apis[(intptr_t)arg % 3];
}

static void
overflow_by_one(void *arg)
{
    unsigned char *p = dom(arg)->malloc(16);
    ((unsigned char *)launder(p))[16] = 'x';
    dom(arg)->free(p);
}

static void
overflow_then_realloc(void *arg)
{
    unsigned char *p = dom(arg)->malloc(16);
    ((unsigned char *)launder(p))[16 + 7] = 'y';
    p = dom(arg)->realloc(p, 32);
    dom(arg)->free(p);
}

static void
underflow_by_one(void *arg)
{
    unsigned char *p = dom(arg)->malloc(16);
    ((unsigned char *)launder(p))[-1] = 'x';
    dom(arg)->free(p);
}

/* arg = 3 * allocating domain + releasing domain */
static void
api_misuse(void *arg)
{
    intptr_t pair = (intptr_t)arg;
    void *p = domain_apis[pair / 3].malloc(16);
    domain_apis[pair % 3].free(p);
}

static void
api_misuse_realloc(void *arg)
{
    (void)arg;
    void *p = deadbyte_obj_malloc(16);
    p = deadbyte_raw_realloc(p, 32);
    deadbyte_raw_free(p);
}

static void
header_wiped(void *arg)
{
    unsigned char *p = dom(arg)->malloc(16);
    memset((unsigned char *)launder(p) - 2 * SST, 0, 2 * SST);
    dom(arg)->free(p);
}

/* A size field hit by a wild write, pads intact: the check and the report
 * must neither crash nor read past the block. */
static void
size_field_corrupt(void *arg)
{
    unsigned char *p = dom(arg)->malloc(16);
    block_put_be((unsigned char *)launder(p) - 2 * SST, (size_t)1 << 40);
    dom(arg)->free(p);
}

static void
freed_header(void *arg)
{
    (void)arg;
    /* A block whose header reads DEADBYTE, as a freed block's does until
     * the base allocator reuses it. */
    unsigned char *p = deadbyte_mem_malloc(16);
    memset((unsigned char *)launder(p) - 2 * SST, 0xDD, 2 * SST);
    deadbyte_mem_free(p);
}

static void
double_free(void *arg)
{
    void *p = dom(arg)->malloc(16);
    dom(arg)->free(p);
    dom(arg)->free(launder(p));
}

static void
free_of_stack(void *arg)
{
    char local[32];
    dom(arg)->free(launder(local));
}

static void
interior_free(void *arg)
{
    char *p = dom(arg)->malloc(40);
    dom(arg)->free(launder(p + 8));
}

static void
realloc_of_freed(void *arg)
{
    void *p = dom(arg)->malloc(16);
    dom(arg)->free(p);
    p = dom(arg)->realloc(launder(p), 32);
}

/* A small quarantine, a write after free, then enough frees to push the
 * block out: the check when it leaves must see the write. */
static void
write_after_free(void *arg)
{
    ck_assert_int_eq(options_set("quarantine", "256", NULL), 0);
    unsigned char *p = dom(arg)->malloc(16);
    dom(arg)->free(p);
    ((unsigned char *)launder(p))[5] = 'w';
    for (int i = 0; i < 16; i++)
        dom(arg)->free(dom(arg)->malloc(64));
}

/* An overflow of a block nobody frees, found by deadbyte_check_heap. */
static void
overflow_found_by_heap_check(void *arg)
{
    unsigned char *p = dom(arg)->malloc(16);
    ((unsigned char *)launder(p))[16] = 'x';
    deadbyte_check_heap();
}

/* ---- The table -------------------------------------------------------- */

struct bad_op {
    const char *name;
    void (*fn)(void *);
    intptr_t arg;
    const char *patterns[DEATH_MAX_PATTERNS];
};

#define OVERFLOW_ROW(d, id, func)                                              \
    {"overflow by one byte in " #d,                                            \
     overflow_by_one,                                                          \
     d,                                                                        \
     {"^Debug memory block at address p=" PTR ": API '" id "' \\(" func        \
      "_malloc\\)$",                                                           \
      "^    16 bytes originally requested$",                                   \
      "^    The [0-9] pad bytes at p-[0-9] are FORBIDDENBYTE, as expected\\.$", \
      "^    The [0-9] pad bytes at tail=" PTR                                  \
      " are not all FORBIDDENBYTE \\(0xfd\\):$",                               \
      "^        at tail\\+0: 0x78 \\*\\*\\* OUCH$",                            \
      "^        at tail\\+1: 0xfd$", "^        at tail\\+7: 0xfd$",            \
      "^    The block was made by call #[0-9]+ to debug malloc/realloc\\.$",   \
      "^    Data at p: cd cd cd cd cd cd cd cd cd cd cd cd cd cd cd cd$",      \
      "^$",                                                                    \
      "^deadbyte: buffer overflow: something wrote past the end of the "       \
      "16-byte block, at p\\+16$",                                             \
      "^Fatal error: " func "_free: bad trailing pad byte$"}}

#define UNDERFLOW_ROW(d, id, func)                                             \
    {"underflow by one byte in " #d,                                           \
     underflow_by_one,                                                         \
     d,                                                                        \
     {"^Debug memory block at address p=" PTR ": API '" id "' \\(" func        \
      "_malloc\\)$",                                                           \
      "^    16 bytes originally requested$",                                   \
      "^    The 7 pad bytes at p-7 are not all FORBIDDENBYTE \\(0xfd\\):$",    \
      "^        at p-7: 0xfd$", "^        at p-1: 0x78 \\*\\*\\* OUCH$",       \
      "^    Because memory is corrupted at the start",                         \
      "^    The 8 pad bytes at tail=" PTR " are FORBIDDENBYTE, as expected\\.$", \
      "^    Data at p: cd cd",                                                 \
      "^deadbyte: buffer underflow: something wrote before the start of the "  \
      "block, at p-1$",                                                        \
      "^Fatal error: " func "_free: bad leading pad byte$"}}

#define MISUSE_ROW(a, b, ida, idb, fa, fb)                                     \
    {"allocated in " #a ", freed in " #b,                                      \
     api_misuse,                                                               \
     3 * a + b,                                                                \
     {"^Debug memory block at address p=" PTR ": API '" ida "' \\(" fa         \
      "_malloc\\)$",                                                           \
      "^    16 bytes originally requested$",                                   \
      "^    The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected\\.$",         \
      "^    The 8 pad bytes at tail=" PTR " are FORBIDDENBYTE, as expected\\.$", \
      "^    The block was made by call #[0-9]+ to debug malloc/realloc\\.$",   \
      "^    Data at p: cd cd cd .*$",                                          \
      "^deadbyte: API mismatch: a block allocated with " fa                    \
      "_malloc was released with " fb "_free$",                                \
      "^Fatal error: " fb "_free: bad ID: Allocated using API '" ida           \
      "', verified using API '" idb "'$"}}

enum { RAW, MEM, OBJ };

static const struct bad_op bad_ops[] = {
    OVERFLOW_ROW(RAW, "r", "deadbyte_raw"),
    OVERFLOW_ROW(MEM, "m", "deadbyte_mem"),
    OVERFLOW_ROW(OBJ, "o", "deadbyte_obj"),
    UNDERFLOW_ROW(RAW, "r", "deadbyte_raw"),
    UNDERFLOW_ROW(MEM, "m", "deadbyte_mem"),
    UNDERFLOW_ROW(OBJ, "o", "deadbyte_obj"),
    MISUSE_ROW(RAW, MEM, "r", "m", "deadbyte_raw", "deadbyte_mem"),
    MISUSE_ROW(RAW, OBJ, "r", "o", "deadbyte_raw", "deadbyte_obj"),
    MISUSE_ROW(MEM, RAW, "m", "r", "deadbyte_mem", "deadbyte_raw"),
    MISUSE_ROW(MEM, OBJ, "m", "o", "deadbyte_mem", "deadbyte_obj"),
    MISUSE_ROW(OBJ, RAW, "o", "r", "deadbyte_obj", "deadbyte_raw"),
    MISUSE_ROW(OBJ, MEM, "o", "m", "deadbyte_obj", "deadbyte_mem"),
    {"overflow caught by realloc",
     overflow_then_realloc,
     MEM,
     {"^Debug memory block at address p=" PTR ": API 'm'",
      "^        at tail\\+7: 0x79 \\*\\*\\* OUCH$",
      "^deadbyte: buffer overflow: something wrote past the end of the "
      "16-byte block, at p\\+23$",
      "^Fatal error: deadbyte_mem_realloc: bad trailing pad byte$"}},
    {"API misuse caught by realloc",
     api_misuse_realloc,
     0,
     {"^Debug memory block at address p=" PTR
      ": API 'o' \\(deadbyte_obj_malloc\\)$",
      "^deadbyte: API mismatch: a block allocated with deadbyte_obj_malloc "
      "was released with deadbyte_raw_realloc$",
      "^Fatal error: deadbyte_raw_realloc: bad ID: Allocated using API 'o', "
      "verified using API 'r'$"}},
    {"header wiped by an underflow",
     header_wiped,
     RAW,
     {"^Debug memory block at address p=" PTR
      ": API '\\\\x00' \\(not an API id of deadbyte\\)$",
      "^    0 bytes originally requested$",
      "^    The size field is wrong: deadbyte recorded 16 bytes for this "
      "block\\.$",
      "^Memory block allocated at \\(most recent call first\\):$",
      "^deadbyte: the API id of the block was overwritten \\(deadbyte "
      "recorded 'r'\\): an underflow or a wild write reached the header$",
      "^Fatal error: deadbyte_raw_free: bad ID: Allocated using API "
      "'\\\\x00', verified using API 'r'$"}},
    {"header filled with DEADBYTE",
     freed_header,
     0,
     {"^Debug memory block at address p=" PTR ": API '\\\\xdd'",
      "^deadbyte: the API id of the block was overwritten \\(deadbyte "
      "recorded 'm'\\)",
      "^Fatal error: deadbyte_mem_free: bad ID: Allocated using API "
      "'\\\\xdd', verified using API 'm'$"}},
    {"size field overwritten, pads intact",
     size_field_corrupt,
     OBJ,
     {"^Debug memory block at address p=" PTR ": API 'o'",
      "^    1099511627776 bytes originally requested$",
      "^    The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected\\.$",
      "^    The size field is wrong: deadbyte recorded 16 bytes for this "
      "block\\.$",
      "^    The 8 pad bytes at tail=" PTR " are FORBIDDENBYTE, as expected\\.$",
      "^deadbyte: the size field is corrupt",
      "^Fatal error: deadbyte_obj_free: bad size field$"}},
    {"double free",
     double_free,
     MEM,
     {"^Debug memory block at address p=" PTR
      ": API 'm' \\(deadbyte_mem_malloc\\), freed$",
      "^    16 bytes originally requested$",
      "^Memory block allocated at \\(most recent call first\\):$",
      "^Memory block freed at \\(most recent call first\\):$",
      "^Freed again at \\(most recent call first\\):$",
      "^deadbyte: double free: deadbyte_mem_free was given the 16-byte block "
      "allocated with deadbyte_mem_malloc \\(call #[0-9]+\\), which was "
      "freed already$",
      "^Fatal error: deadbyte_mem_free: double free$"}},
    {"free of a stack address",
     free_of_stack,
     RAW,
     {"^Pointer " PTR " was not handed out by deadbyte: it lies on the stack",
      "^Bad call at \\(most recent call first\\):$",
      "^deadbyte: invalid pointer: deadbyte_raw_free was given a pointer that "
      "no allocation function returned",
      "^Fatal error: deadbyte_raw_free: invalid pointer$"}},
    {"free of an interior pointer",
     interior_free,
     OBJ,
     {"^Debug memory block at address p=" PTR ": API 'o'",
      "^    40 bytes originally requested$",
      "^deadbyte: interior pointer: deadbyte_obj_free was given p\\+8, not "
      "the start p of the 40-byte block allocated with deadbyte_obj_malloc",
      "^Fatal error: deadbyte_obj_free: interior pointer$"}},
    {"realloc of a freed block",
     realloc_of_freed,
     RAW,
     {"^Reallocated at \\(most recent call first\\):$",
      "^deadbyte: realloc of freed memory: deadbyte_raw_realloc was given the "
      "16-byte block",
      "^Fatal error: deadbyte_raw_realloc: realloc of a freed block$"}},
    {"write after free, found leaving the quarantine",
     write_after_free,
     MEM,
     {"^Debug memory block at address p=" PTR ": API 'm' .*, freed$",
      "^    The block was filled with DEADBYTE \\(0xdd\\) when it was "
      "freed; these bytes changed since:$",
      "^        at p\\+5: 0x77 \\*\\*\\* OUCH$",
      "^Memory block freed at \\(most recent call first\\):$",
      "^deadbyte: write after free: 1 byte of the 16-byte block allocated "
      "with deadbyte_mem_malloc \\(call #[0-9]+\\) changed after it was "
      "freed, the first at p\\+5 \\(found when the block left the "
      "quarantine\\)$",
      "^Fatal error: deadbyte_mem_free: write after free$"}},
    {"overflow found by deadbyte_check_heap",
     overflow_found_by_heap_check,
     RAW,
     {"^        at tail\\+0: 0x78 \\*\\*\\* OUCH$",
      "^Detected by deadbyte_check_heap at \\(most recent call first\\):$",
      "^Fatal error: deadbyte_check_heap: bad trailing pad byte$"}},
};

#define N_BAD_OPS ((int)(sizeof bad_ops / sizeof bad_ops[0]))

START_TEST(test_death_bad_operation)
{
    const struct bad_op *op = &bad_ops[_i];
    struct death expect = {SIGABRT, op->patterns};
    expect_death(op->fn, (void *)op->arg, &expect);
}
END_TEST

/* ---- What is not reported ------------------------------------------- */

/* Every API, every size class, realloc chains: silence and exit 0. */
static void
correct_program(void *arg)
{
    const struct domain_api *d = dom(arg);
    void *blocks[64];
    for (int round = 0; round < 4; round++) {
        for (size_t i = 0; i < 64; i++) {
            size_t n = (i * 37 + (size_t)round) % 300;
            blocks[i] = i % 3 == 0 ? d->calloc(n, 2) : d->malloc(n);
            memset(blocks[i], (int)i, i % 3 == 0 ? 2 * n : n);
        }
        for (size_t i = 0; i < 64; i++)
            blocks[i] = d->realloc(blocks[i], (i * 91) % 2000);
        for (size_t i = 0; i < 64; i++)
            d->free(blocks[i]);
    }
    d->free(NULL);
    d->free(d->realloc(NULL, 0));
}

START_TEST(test_death_correct_program_is_silent)
{
    static const struct death clean = {0, NULL};
    expect_death(correct_program, (void *)(intptr_t)_i, &clean);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("death");
    TCase *bad = tcase_create("bad operations");
    tcase_add_loop_test(bad, test_death_bad_operation, 0, N_BAD_OPS);
    suite_add_tcase(s, bad);
    TCase *good = tcase_create("correct programs");
    tcase_add_loop_test(good, test_death_correct_program_is_silent, 0, 3);
    suite_add_tcase(s, good);
    return run_suite(s);
}
