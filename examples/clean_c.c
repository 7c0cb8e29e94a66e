/* SPDX-License-Identifier: MIT */
/*
 * clean_c.c -- every function of the C allocator API used correctly, in
 * a plain program: malloc, calloc, realloc (grow, shrink, from NULL, down
 * to 1 byte), reallocarray, free, memalign, posix_memalign (alignments
 * 16 to 4096), aligned_alloc, valloc, pvalloc and malloc_usable_size
 * (every byte it promises is written), and the C library functions that
 * allocate for the caller: strdup, asprintf, getline, fmemopen.
 * `deadbyte -- ./clean_c` says nothing: it prints the same checksum line
 * as the program alone and exits 0.
 */
#include <malloc.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Clang takes the allocation functions to leave errno alone: it may keep
 * errno's value across them, or move a store to errno past them.  This
 * barrier makes the compiler write errno before it and read it after. */
#define ERRNO_BARRIER() __asm__ volatile("" ::: "memory")

static uint32_t sum = 2166136261u; /* FNV-1a over everything checked */

static void
mix(const void *data, size_t n)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < n; i++) {
        sum ^= b[i];
        sum *= 16777619u;
    }
}

static void
fail(const char *what)
{
    fprintf(stderr, "clean_c: %s\n", what);
    exit(1);
}

static void
fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed + i * 7);
}

static void
check(const unsigned char *p, size_t n, unsigned seed, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(seed + i * 7))
            fail(what);
    mix(p, n);
}

static void
check_aligned(const void *p, size_t alignment, const char *what)
{
    if (!p || (uintptr_t)p % alignment != 0)
        fail(what);
}

static int
compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void
test_malloc_calloc_realloc(void)
{
    unsigned char *p = malloc(100);
    if (!p)
        fail("malloc");
    fill(p, 100, 1);
    p = realloc(p, 5000); /* grow: the old bytes move along */
    if (!p)
        fail("realloc grow");
    check(p, 100, 1, "realloc grow lost data");
    fill(p, 5000, 2);
    p = realloc(p, 30); /* shrink */
    if (!p)
        fail("realloc shrink");
    check(p, 30, 2, "realloc shrink lost data");
    p = realloc(p, 1); /* down to one byte */
    if (!p)
        fail("realloc 1");
    check(p, 1, 2, "realloc 1 lost data");
    free(p);

    p = realloc(NULL, 64); /* realloc of NULL is malloc */
    if (!p)
        fail("realloc NULL");
    fill(p, 64, 3);
    check(p, 64, 3, "realloc NULL");
    free(p);

    int *zeros = calloc(1000, sizeof *zeros);
    if (!zeros)
        fail("calloc");
    for (int i = 0; i < 1000; i++)
        if (zeros[i] != 0)
            fail("calloc not zeroed");
    zeros = reallocarray(zeros, 2000, sizeof *zeros);
    if (!zeros)
        fail("reallocarray");
    for (int i = 0; i < 2000; i++)
        zeros[i] = i;
    mix(zeros, 2000 * sizeof *zeros);
    free(zeros);

    free(NULL);
    void *empty = malloc(0); /* NULL or a unique pointer: both are fine */
    free(empty);
}

static void
test_aligned(void)
{
    for (size_t a = 16; a <= 4096; a *= 2) {
        void *p = NULL;
        if (posix_memalign(&p, a, a + 3) != 0)
            fail("posix_memalign");
        check_aligned(p, a, "posix_memalign alignment");
        fill(p, a + 3, 4);
        check(p, a + 3, 4, "posix_memalign data");
        free(p);

        unsigned char *m = memalign(a, 50);
        check_aligned(m, a, "memalign alignment");
        fill(m, 50, 5);
        check(m, 50, 5, "memalign data");
        m = realloc(m, 3 * a + 50); /* realloc keeps data, not alignment */
        if (!m)
            fail("realloc of memalign block");
        check(m, 50, 5, "realloc of memalign block lost data");
        free(m);

        unsigned char *c = aligned_alloc(a, 2 * a);
        check_aligned(c, a, "aligned_alloc alignment");
        fill(c, 2 * a, 6);
        check(c, 2 * a, 6, "aligned_alloc data");
        free(c);
    }

    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *v = valloc(100);
    check_aligned(v, page, "valloc alignment");
    fill(v, 100, 7);
    check(v, 100, 7, "valloc data");
    free(v);

    /* Valgrind (3.19 at least) aborts on pvalloc(): skip it there.  It
     * stays out of the checksum, so the output is the same either way. */
    const char *preload = getenv("LD_PRELOAD");
    if (!preload || !strstr(preload, "vgpreload")) {
        unsigned char *pv = pvalloc(page + 1); /* rounded up: two pages */
        check_aligned(pv, page, "pvalloc alignment");
        fill(pv, 2 * page, 8);
        for (size_t i = 0; i < 2 * page; i++)
            if (pv[i] != (unsigned char)(8 + i * 7))
                fail("pvalloc data");
        free(pv);
    }
}

static void
test_usable_size(void)
{
    for (size_t n = 1; n <= 200; n += 13) {
        unsigned char *p = malloc(n);
        if (!p)
            fail("malloc");
        size_t usable = malloc_usable_size(p);
        if (usable < n)
            fail("malloc_usable_size smaller than the request");
        fill(p, usable, 9); /* every byte promised is the caller's */
        check(p, n, 9, "malloc_usable_size data");
        free(p);
    }
    if (malloc_usable_size(NULL) != 0)
        fail("malloc_usable_size(NULL)");
}

static void
test_libc_allocations(void)
{
    char *dup = strdup("deadbyte strdup");
    if (!dup)
        fail("strdup");
    mix(dup, strlen(dup));

    char *text = NULL;
    if (asprintf(&text, "%s|%d|%05.1f", dup, 42, 3.5) < 0)
        fail("asprintf");
    mix(text, strlen(text));
    free(dup);

    static const char lines[] = "3\n1\n4\n1\n5\n9\n2\n6\n5\n3\n5\n";
    FILE *in = fmemopen((void *)lines, sizeof lines - 1, "r");
    if (!in)
        fail("fmemopen");
    char *line = NULL;
    size_t cap = 0;
    size_t count = 0, room = 2;
    int *values = malloc(room * sizeof *values);
    if (!values)
        fail("malloc");
    while (getline(&line, &cap, in) > 0) {
        if (count == room) {
            room *= 2;
            values = reallocarray(values, room, sizeof *values);
            if (!values)
                fail("reallocarray");
        }
        values[count++] = atoi(line);
    }
    free(line);
    fclose(in);
    qsort(values, count, sizeof *values, compare_ints);
    for (size_t i = 0; i < count; i++)
        printf("%d%c", values[i], i + 1 < count ? ' ' : '\n');
    mix(values, count * sizeof *values);
    free(values);

    puts(text);
    free(text);
}

/* Allocation functions leave errno alone when they succeed, and set
 * ENOMEM (or return EINVAL) when they fail, as the C library does. */
static void
test_errno(void)
{
    errno = 4242;
    ERRNO_BARRIER();
    /* volatile: blocks whose pointers go nowhere else may be left out by
     * the compiler (clang does), and their results assumed non-NULL. */
    void *volatile p = malloc(10);
    void *volatile q = calloc(3, 3);
    void *r = NULL;
    p = realloc(p, 1000);
    if (posix_memalign(&r, 64, 10) != 0)
        fail("posix_memalign");
    free(p);
    free(q);
    free(r);
    ERRNO_BARRIER();
    if (errno != 4242)
        fail("errno changed by successful calls");
    volatile size_t huge = SIZE_MAX / 2;
    void *volatile big = malloc(huge);
    ERRNO_BARRIER();
    if (big != NULL || errno != ENOMEM)
        fail("malloc(SIZE_MAX / 2) must fail with ENOMEM");
    puts("errno kept");
}

int
main(void)
{
    test_malloc_calloc_realloc();
    test_aligned();
    test_usable_size();
    test_libc_allocations();
    test_errno();
    printf("checksum %08x\n", (unsigned)sum);
    return 0;
}
