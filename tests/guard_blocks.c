/* SPDX-License-Identifier: MIT */
/*
 * guard_blocks.c -- blocks with guard pages, seen from a program under
 * the launcher (tests/guard_pages.sh).  Modes (argv[1]):
 *
 *   layout AFTER   every block of every size from 0 to 5000 and some
 *                  larger ones: its alignment (malloc's 8 at least from
 *                  8 bytes, 16 for multiples of 16), its data ending at
 *                  most 15 bytes before a page boundary if AFTER is 1, or
 *                  starting on one if AFTER is 0; reads and writes of
 *                  every byte; calloc zero; malloc_usable_size the size
 *   realloc        10000 reallocs, growing and shrinking, keep the data
 *   aligned        posix_memalign and aligned_alloc keep their alignment
 *   threads        4 threads make and free blocks, and pass them on
 *   fork           a child frees and makes blocks its parent made
 *   many N         N blocks live at once (past --guard-max)
 *
 * Prints "ok" and exits 0, or says what is wrong and exits 1.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

static void
fail(const char *what, size_t n, const void *p)
{
    printf("%s: size %zu at %p\n", what, n, p);
    failures++;
}

/* The alignment deadbyte promises a guarded block of N bytes. */
static size_t
promised(size_t n)
{
    size_t align = n & -n;
    if (align == 0 || align > 16)
        align = 16;
    if (align < 8 && n >= 8)
        align = 8;
    return align;
}

static void
check_block(unsigned char *p, size_t n, int after, size_t page, int zeroed)
{
    if (!p) {
        fail("no block", n, p);
        return;
    }
    if ((uintptr_t)p % promised(n) != 0)
        fail("misaligned", n, p);
    /* The bytes between the data's end and the next page boundary:
     * fewer than the alignment, and none when it divides N. */
    size_t gap = (page - ((uintptr_t)p + n) % page) % page;
    if (after == 1 && (gap >= promised(n) ||
                       (n % promised(n) == 0 && gap != 0)))
        fail("data does not end against the page", n, p);
    if (after == 0 && (uintptr_t)p % page != 0)
        fail("data does not start on a page", n, p);
    for (size_t i = 0; i < n; i++)
        if (zeroed && p[i] != 0) {
            fail("calloc block not zero", n, p);
            break;
        }
    memset(p, 0x5a, n);
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0x5a) {
            fail("data not kept", n, p);
            break;
        }
    if (malloc_usable_size(p) != n)
        fail("malloc_usable_size", n, p);
}

static void
layout(int after)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    for (size_t n = 0; n <= 5000; n++) {
        unsigned char *p = malloc(n);
        check_block(p, n, after, page, 0);
        free(p);
        p = calloc(1, n);
        check_block(p, n, after, page, 1);
        free(p);
    }
    size_t big[] = {65536, 65537, 300000, 1 << 20, (1 << 20) + 3};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        unsigned char *p = malloc(big[i]);
        check_block(p, big[i], after, page, 0);
        free(p);
    }
}

static void
reallocs(void)
{
    srand(7);
    unsigned char *p = NULL;
    size_t n = 0;
    for (int i = 0; i < 10000; i++) {
        size_t m = (size_t)rand() % (i % 10 ? 300 : 20000);
        unsigned char *q = realloc(p, m);
        if (m == 0) {
            p = q; /* glibc: freed, and NULL returned */
            n = 0;
            continue;
        }
        if (!q) {
            fail("realloc failed", m, p);
            return;
        }
        for (size_t j = 0; j < (n < m ? n : m); j++)
            if (q[j] != (unsigned char)(j * 7 + n)) {
                fail("realloc lost data", m, q);
                return;
            }
        for (size_t j = 0; j < m; j++)
            q[j] = (unsigned char)(j * 7 + m);
        p = q;
        n = m;
    }
    free(p);
}

static void
aligned(void)
{
    for (size_t a = 8; a <= 4096; a *= 2)
        for (size_t n = 1; n < 100; n += 7) {
            void *p = NULL;
            if (posix_memalign(&p, a, n) != 0 || (uintptr_t)p % a != 0)
                fail("posix_memalign", n, p);
            free(p);
            p = aligned_alloc(a, n * a);
            if (!p || (uintptr_t)p % a != 0)
                fail("aligned_alloc", n * a, p);
            free(p);
        }
}

#define SLOTS 64
static void *volatile handed[SLOTS];

static void *
thread_main(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    for (int i = 0; i < 20000; i++) {
        size_t n = rand_r(&seed) % 200;
        unsigned char *p = malloc(n);
        if (!p)
            return "no block";
        memset(p, 1, n);
        /* Swap with a shared slot: the block is freed by another thread. */
        void *old = __atomic_exchange_n(&handed[rand_r(&seed) % SLOTS], p,
                                        __ATOMIC_ACQ_REL);
        free(old);
    }
    return NULL;
}

static void
threads(void)
{
    pthread_t t[4];
    for (uintptr_t i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, thread_main, (void *)(i + 1));
    for (int i = 0; i < 4; i++) {
        void *result;
        pthread_join(t[i], &result);
        if (result)
            fail(result, 0, NULL);
    }
    for (int i = 0; i < SLOTS; i++)
        free(handed[i]);
}

static void
forks(void)
{
    void *blocks[100];
    for (int i = 0; i < 100; i++)
        blocks[i] = malloc((size_t)i * 13);
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 100; i += 2)
            free(blocks[i]);
        for (int i = 0; i < 100; i++)
            free(malloc((size_t)i));
        _exit(0);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
        fail("the child failed", 0, NULL);
    for (int i = 0; i < 100; i++)
        free(blocks[i]);
}

static void
many(size_t n)
{
    void **blocks = malloc(n * sizeof *blocks);
    for (size_t i = 0; i < n; i++) {
        blocks[i] = malloc(i % 64);
        memset(blocks[i], 3, i % 64);
    }
    for (size_t i = 0; i < n; i++)
        free(blocks[i]);
    free(blocks);
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "layout") == 0 && argc > 2)
        layout(atoi(argv[2]));
    else if (strcmp(mode, "realloc") == 0)
        reallocs();
    else if (strcmp(mode, "aligned") == 0)
        aligned();
    else if (strcmp(mode, "threads") == 0)
        threads();
    else if (strcmp(mode, "fork") == 0)
        forks();
    else if (strcmp(mode, "many") == 0 && argc > 2)
        many((size_t)atol(argv[2]));
    else {
        fprintf(stderr, "usage: guard_blocks layout 0|1 | realloc | "
                        "aligned | threads | fork | many N\n");
        return 2;
    }
    if (failures)
        return 1;
    puts("ok");
    return 0;
}
