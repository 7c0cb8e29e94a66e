/* SPDX-License-Identifier: MIT */
/*
 * check_threads.c -- threads hammering the domains at once: no report, no
 * crash, and serial numbers that no two blocks share.  The raw domain is
 * called freely; the mem and obj domains, whose small-object allocator
 * is not thread-safe, only with a lock held, as a program must.
 */
#include "config.h"

#include "block.h"
#include "death.h"
#include "options.h"
#include "util.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define ROUNDS 20000
#define SLOTS 32

static size_t serials[THREADS][ROUNDS];

/* Set: the slots take turns between the three domains, and mem and obj
 * calls hold the program's lock.  Clear: the raw domain only. */
static int all_domains;
static pthread_mutex_t program_lock = PTHREAD_MUTEX_INITIALIZER;

static void
lock_for(const struct domain_api *d, int lock)
{
    if (d->domain == DEADBYTE_DOMAIN_RAW)
        return;
    if (lock)
        pthread_mutex_lock(&program_lock);
    else
        pthread_mutex_unlock(&program_lock);
}

static void *
hammer(void *arg)
{
    intptr_t t = (intptr_t)arg;
    void *slot[SLOTS] = {0};
    unsigned seed = (unsigned)t * 2654435761u;
    for (int i = 0; i < ROUNDS; i++) {
        seed = seed * 1103515245u + 12345u;
        const struct domain_api *d = &domain_apis[(seed >> 8) % 3];
        size_t k = (seed >> 12) % SLOTS;
        size_t n = (seed >> 16) % 700;
        /* Each slot keeps to one domain so frees always match. */
        d = &domain_apis[all_domains ? k % 3 : 0];
        lock_for(d, 1);
        if (slot[k]) {
            slot[k] = (seed & 1) ? d->realloc(slot[k], n) : (d->free(slot[k]), NULL);
        }
        if (!slot[k]) {
            slot[k] = (seed & 2) ? d->calloc(n, 1) : d->malloc(n);
            memset(slot[k], 0x5a, n);
        }
        lock_for(d, 0);
        serials[t][i] = block_serial(slot[k]);
    }
    for (size_t k = 0; k < SLOTS; k++) {
        const struct domain_api *d = &domain_apis[all_domains ? k % 3 : 0];
        lock_for(d, 1);
        d->free(slot[k]);
        lock_for(d, 0);
    }
    return NULL;
}

/* ALL_DOMAINS not NULL: all three domains, mem and obj under the lock;
 * else the raw domain only. */
static void
run_threads(void *all)
{
    all_domains = all != NULL;
    /* With a small quarantine, blocks leave it all the time: mem and obj
     * blocks must leave only on mem and obj calls, under the lock (raw
     * frees, made without it, push out raw blocks only). */
    ck_assert_int_eq(options_set("quarantine", "64K", NULL), 0);
    pthread_t threads[THREADS];
    for (intptr_t t = 0; t < THREADS; t++)
        if (pthread_create(&threads[t], NULL, hammer, (void *)t) != 0)
            abort();
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
}

START_TEST(test_threads_hammer_raw_domain_silently)
{
    static const struct death clean = {0, NULL};
    expect_death(run_threads, NULL, &clean);
}
END_TEST

START_TEST(test_threads_hammer_all_domains_under_lock_silently)
{
    static const struct death clean = {0, NULL};
    expect_death(run_threads, (void *)1, &clean);
}
END_TEST

static int
by_value(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

START_TEST(test_threads_serial_numbers_unique)
{
    /* Count the blocks made and check no number repeats: atomic counter. */
    size_t before = deadbyte_get_serialno();
    run_threads(NULL);
    size_t after = deadbyte_get_serialno();
    ck_assert_uint_gt(after, before);
    /* The serial of each block a thread saw last in a round is its own;
     * sort them and check that equal numbers only come from one block
     * seen twice by the same thread (a slot kept across rounds). */
    static size_t all[THREADS * ROUNDS];
    memcpy(all, serials, sizeof all);
    qsort(all, THREADS * ROUNDS, sizeof all[0], by_value);
    for (size_t i = 0; i < THREADS * ROUNDS; i++) {
        ck_assert_uint_gt(all[i], before);
        ck_assert_uint_le(all[i], after);
    }
    for (int t = 0; t < THREADS; t++)
        for (int u = t + 1; u < THREADS; u++)
            for (int i = 0; i < ROUNDS; i += 97)
                for (int j = 0; j < ROUNDS; j += 89)
                    ck_assert_uint_ne(serials[t][i], serials[u][j]);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_threads_hammer_raw_domain_silently);
    tcase_add_test(tc, test_threads_hammer_all_domains_under_lock_silently);
    tcase_add_test(tc, test_threads_serial_numbers_unique);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
