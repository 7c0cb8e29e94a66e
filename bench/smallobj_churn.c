/* SPDX-License-Identifier: MIT */
/*
 * smallobj_churn.c -- is the small-object allocator faster than the C
 * library's malloc at what it is for?  One thread churns blocks of 8 to
 * 512 bytes: at a random slot of a table, it frees the block there and
 * allocates a new one of a random size (one time in eight it resizes the
 * block with realloc instead), and writes its first and last bytes.  The
 * same sequence runs on smallobj_malloc/_realloc/_free, called directly
 * (no debug hooks), and on malloc/realloc/free, in alternate order, for
 * several rounds; the medians count (the machine may be noisy).
 *
 * Usage: smallobj_churn [OPS [ROUNDS [SLOTS]]]
 *        (default 20000000 operations, 5 rounds, 1024 slots, as in
 *        bench/churn.c)
 *
 * Prints the median operations per second of each allocator and the
 * median of the rounds' ratios.
 * Not a test: "make check" does not run it.
 */
#include "config.h"

#include "smallobj.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct allocator {
    const char *name;
    void *(*malloc)(size_t);
    void *(*realloc)(void *, size_t);
    void (*free)(void *);
};

static void *
so_malloc(size_t n)
{
    return smallobj_malloc(NULL, n);
}

static void *
so_realloc(void *p, size_t n)
{
    return smallobj_realloc(NULL, p, n);
}

static void
so_free(void *p)
{
    smallobj_free(NULL, p);
}

static const struct allocator allocators[] = {
    {"deadbyte smallobj", so_malloc, so_realloc, so_free},
    {"glibc malloc", malloc, realloc, free},
};

/* xorshift64*: fast, and the same sequence for both allocators. */
static uint64_t
next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One round: OPS operations on SLOTS slots; returns operations per
 * second, and adds what the blocks held to *SUM (so nothing is optimised
 * away, and both allocators can be seen to do the same work). */
static double
churn(const struct allocator *a, unsigned long ops, size_t slots,
      unsigned char **table, unsigned long *sum)
{
    uint64_t state = 0x9E3779B97F4A7C15ULL;
    double start = now();
    for (unsigned long i = 0; i < ops; i++) {
        uint64_t r = next_random(&state);
        size_t k = (size_t)(r % slots);
        size_t n = 8 + (size_t)((r >> 32) % 505);
        unsigned char *p = table[k];
        if (p && (r >> 20) % 8 == 0) {
            p = a->realloc(p, n);
        } else {
            if (p) {
                *sum += p[0];
                a->free(p);
            }
            p = a->malloc(n);
        }
        if (!p) {
            fprintf(stderr, "smallobj_churn: %s: out of memory\n", a->name);
            exit(1);
        }
        p[0] = (unsigned char)i;
        p[n - 1] = (unsigned char)k;
        table[k] = p;
    }
    double elapsed = now() - start;
    for (size_t k = 0; k < slots; k++) {
        a->free(table[k]);
        table[k] = NULL;
    }
    return (double)ops / elapsed;
}

static int
by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of the N values at V (sorts them). */
static double
median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static unsigned long
argument(int argc, char **argv, int i, unsigned long def)
{
    if (argc <= i)
        return def;
    char *end;
    unsigned long v = strtoul(argv[i], &end, 10);
    if (*end || v == 0) {
        fprintf(stderr, "usage: smallobj_churn [OPS [ROUNDS [SLOTS]]]\n");
        exit(2);
    }
    return v;
}

int
main(int argc, char **argv)
{
    unsigned long ops = argument(argc, argv, 1, 20000000);
    unsigned long rounds = argument(argc, argv, 2, 5);
    size_t slots = argument(argc, argv, 3, 1024);
    unsigned char **table = calloc(slots, sizeof *table);
    if (!table)
        return 1;
    double *rates[2] = {calloc(rounds, sizeof(double)),
                        calloc(rounds, sizeof(double))};
    double *ratios = calloc(rounds, sizeof(double));
    if (!rates[0] || !rates[1] || !ratios)
        return 1;
    unsigned long sums[2] = {0, 0};
    for (unsigned long round = 0; round < rounds; round++) {
        for (int j = 0; j < 2; j++) {
            int which = round % 2 ? 1 - j : j; /* alternate who goes first */
            unsigned long sum = 0;
            rates[which][round] =
                churn(&allocators[which], ops, slots, table, &sum);
            sums[which] = sum;
        }
        ratios[round] = rates[0][round] / rates[1][round];
    }
    if (sums[0] != sums[1]) {
        fprintf(stderr, "smallobj_churn: the allocators saw different data\n");
        return 1;
    }
    printf("%lu operations on %zu slots of 8..512 bytes, median of %lu "
           "rounds\n",
           ops, slots, rounds);
    for (int j = 0; j < 2; j++) {
        double rate = median(rates[j], rounds);
        printf("%-18s %8.1f M ops/s  (%.1f ns/op)\n", allocators[j].name,
               rate / 1e6, 1e9 / rate);
    }
    printf("ratio smallobj/glibc: %.2f\n", median(ratios, rounds));
    free(ratios);
    free(rates[0]);
    free(rates[1]);
    free(table);
    return 0;
}
