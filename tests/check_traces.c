/* SPDX-License-Identifier: MIT */
/*
 * check_traces.c -- interning of call stacks: the same stack gets the
 * same id, stacks made of the same return addresses in another order get
 * other ids, tens of thousands of distinct stacks (a recursive function
 * called from four sites) all stay distinct and readable while the table
 * grows, also with threads adding at once; and a stack that cannot be
 * kept says the true reason.
 */
#include "config.h"

#include "fmt.h"
#include "frames.h"
#include "options.h"
#include "traces.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/*
 * walk0 .. walk3: a recursion that takes the path spelled by CODE in base
 * 4 (one digit per level, each digit picking the function of the next
 * level) and captures the stack at the bottom.  The bodies differ (a
 * count of their own), so no compiler folds them into one; the asm after
 * each call keeps the calls from becoming jumps.
 */
static volatile unsigned visits[4];
static uint32_t walk0(unsigned code, int depth);
static uint32_t walk1(unsigned code, int depth);
static uint32_t walk2(unsigned code, int depth);
static uint32_t walk3(unsigned code, int depth);

#define WALK(k)                                                                \
    static __attribute__((noinline)) uint32_t walk##k(unsigned code,           \
                                                      int depth)               \
    {                                                                          \
        visits[k]++;                                                           \
        uint32_t id;                                                           \
        if (depth == 0)                                                        \
            id = traces_capture();                                             \
        else if ((code & 3) == 0)                                              \
            id = walk0(code >> 2, depth - 1);                                  \
        else if ((code & 3) == 1)                                              \
            id = walk1(code >> 2, depth - 1);                                  \
        else if ((code & 3) == 2)                                              \
            id = walk2(code >> 2, depth - 1);                                  \
        else                                                                   \
            id = walk3(code >> 2, depth - 1);                                  \
        __asm__ volatile("" : : "r"(id) : "memory");                           \
        return id;                                                             \
    }
WALK(0)
WALK(1)
WALK(2)
WALK(3)

/* 8 levels: 4^8 = 65536 stacks. */
#define LEVELS 8
#define STACKS (1u << (2 * LEVELS))

/*
 * The stack of CODE: the LEVELS + 1 frames of the walk and the return
 * into this function, and no more (main() sets --frames so), so that a
 * stack depends on CODE alone, not on the call site of this function,
 * which an optimiser may copy.
 */
#define STACK_FRAMES "10"

static __attribute__((noinline)) uint32_t
stack_of(unsigned code)
{
    uint32_t id = walk0(code, LEVELS);
    __asm__ volatile("" : : "r"(id) : "memory");
    return id;
}

/* A loop bound the compiler cannot see, so that it cannot unroll a loop
 * into two call sites (two stacks). */
static volatile int twice = 2;

START_TEST(test_traces_same_stack_same_id)
{
    uint32_t ids[2];
    for (int i = 0; i < twice; i++) /* one call site: one stack */
        ids[i] = stack_of(12345);
    ck_assert_uint_ge(ids[0], TRACES_FIRST_ID);
    ck_assert_uint_eq(ids[0], ids[1]);
}
END_TEST

/* 0b0110 and 0b1001 walk through the same functions, in another order. */
START_TEST(test_traces_order_counts)
{
    uint32_t ids[2];
    for (int i = 0; i < twice; i++)
        ids[i] = stack_of(i == 0 ? 1 | 2 << 2 : 2 | 1 << 2);
    ck_assert_uint_ge(ids[0], TRACES_FIRST_ID);
    ck_assert_uint_ge(ids[1], TRACES_FIRST_ID);
    ck_assert_uint_ne(ids[0], ids[1]);
    uintptr_t fa[TRACES_MAX_FRAMES], fb[TRACES_MAX_FRAMES];
    size_t na = traces_get(ids[0], fa, TRACES_MAX_FRAMES);
    size_t nb = traces_get(ids[1], fb, TRACES_MAX_FRAMES);
    ck_assert_uint_eq(na, nb);
    ck_assert_int_ne(memcmp(fa, fb, na * sizeof *fa), 0);
}
END_TEST

/* Every stack of the recursion is distinct, and each reads back as
 * captured again (the table grew from 4096 slots on the way).  One call
 * site for both rounds, so that the frames above it are the same. */
static void
check_all_distinct(unsigned first, unsigned step)
{
    static uint32_t ids[STACKS];
    for (int round = 0; round < 2; round++)
        for (unsigned code = first; code < STACKS; code += step) {
            uint32_t id = stack_of(code);
            ck_assert_uint_ge(id, TRACES_FIRST_ID);
            if (round == 0)
                ids[code] = id;
            else
                ck_assert_uint_eq(id, ids[code]);
        }
    /* Ids are store offsets: equal ids would mean equal stacks. */
    for (unsigned code = first + step; code < STACKS; code += step)
        ck_assert_uint_ne(ids[code], ids[code - step]);
}

START_TEST(test_traces_many_distinct_stacks)
{
    check_all_distinct(0, 1);
}
END_TEST

static void *
add_every_fourth(void *arg)
{
    check_all_distinct((unsigned)(uintptr_t)arg, 4);
    return NULL;
}

START_TEST(test_traces_threads_while_growing)
{
    pthread_t threads[4];
    for (uintptr_t i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, add_every_fourth,
                                        (void *)i), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
}
END_TEST

/* Out of address space: new stacks are not kept, and the report says
 * why, not that deadbyte was busy. */
START_TEST(test_traces_out_of_memory_says_so)
{
    stack_of(0); /* the first table and chunk, while there is room */
    struct rlimit limit = {address_space(), RLIM_INFINITY};
    ck_assert_int_eq(setrlimit(RLIMIT_AS, &limit), 0);
    uint32_t id = 0;
    for (unsigned code = 1; code < STACKS; code++)
        if ((id = stack_of(code)) < TRACES_FIRST_ID)
            break;
    ck_assert_uint_eq(id, TRACES_NO_MEMORY);
    struct fmt out;
    fmt_open(&out, -1);
    frames_put_trace(&out, "Memory block allocated at", id);
    out.buf[out.len < sizeof out.buf ? out.len : sizeof out.buf - 1] = '\0';
    ck_assert_str_eq(out.buf,
                     "Memory block allocated at (most recent call first):\n"
                     "  (not recorded: deadbyte ran out of memory for its "
                     "store of stacks)\n\n");
}
END_TEST

int
main(void)
{
    options_init();
    if (options_set("frames", STACK_FRAMES, NULL) != 0)
        return EXIT_FAILURE;
    Suite *suite = suite_create("traces");
    TCase *tc = tcase_create("intern");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_traces_same_stack_same_id);
    tcase_add_test(tc, test_traces_order_counts);
    tcase_add_test(tc, test_traces_many_distinct_stacks);
    tcase_add_test(tc, test_traces_threads_while_growing);
    tcase_add_test(tc, test_traces_out_of_memory_says_so);
    suite_add_tcase(suite, tc);
    return run_suite(suite);
}
