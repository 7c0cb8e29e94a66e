/* SPDX-License-Identifier: MIT */
/*
 * keep_going.c -- programs for tests/keep_going.sh: bugs that a run under
 * --keep-going reports and goes past.  Each case prints "CASE: done" as
 * its last line, and what it checked on the way.
 *
 *   threads  4 threads each overflow a block of their own and free it; all
 *            4 free again one block that main freed; one block is left
 *            overflowed and live for the check at exit: 6 errors
 *   exit     3 live blocks overflowed, never freed: 3 errors at exit, and
 *            no leak
 *   realloc  realloc of an overflowed block (the data is kept), and of a
 *            freed one: 2 errors, 2 new blocks
 *   evict    a write after free, found when the block leaves the
 *            quarantine: 1 error, not found again at exit
 *   repeat   3 bad memcpy calls from one block, then an overflow of it
 *            and its free: 1 error (the block is reported once)
 *   sprintf  sprintf of 20 characters into an 8-byte block: 1 error, the
 *            output clipped at the block's end (its pad intact), and
 *            sprintf's count of 20
 *   altstack 3 blocks overflowed by one byte and freed, from a program
 *            whose SIGSEGV handler runs on an alternate signal stack: 3
 *            errors (with guard pages: 3 faults, each reported on a stack
 *            of deadbyte's own, which then comes back)
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS 4

__attribute__((noinline)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

static char *shared;
static pthread_barrier_t barrier;

static void *
thread_main(void *arg)
{
    (void)arg;
    volatile char *own = launder(malloc(40));
    if (!own)
        abort();
    size_t len = 40;
    own[len] = 'x'; /* BUG: overflow */
    free(launder((void *)own));
    pthread_barrier_wait(&barrier);
    free(launder(shared)); /* BUG: freed by main already */
    return NULL;
}

static int
threads(void)
{
    pthread_t t[THREADS];
    shared = launder(malloc(8));
    free(shared);
    pthread_barrier_init(&barrier, NULL, THREADS);
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, thread_main, NULL) != 0)
            return 1;
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    static volatile char *kept; /* reachable: never a leak */
    kept = launder(malloc(20));
    size_t len = 20;
    kept[len] = 'y'; /* BUG: overflow, found at exit */
    return 0;
}

static int
at_exit(void)
{
    static volatile char *kept[3];
    for (int i = 0; i < 3; i++) {
        kept[i] = launder(malloc(10 + (size_t)i));
        size_t len = 10 + (size_t)i;
        kept[i][len] = 'z'; /* BUG: overflow, found at exit */
    }
    return 0;
}

static int
reallocs(void)
{
    char *a = launder(malloc(8));
    strcpy(a, "kept");
    size_t len = 8;
    ((volatile char *)a)[len] = '!'; /* BUG: overflow */
    char *b = realloc(launder(a), 100);
    if (!b || strcmp(b, "kept") != 0)
        return 1;
    printf("realloc: data kept\n");
    char *c = launder(malloc(8));
    free(c);
    char *d = realloc(launder(c), 50); /* BUG: freed already */
    if (!d)
        return 1;
    memset(d, 0, 50);
    printf("realloc: new block\n");
    free(b);
    free(d);
    return 0;
}

static int
evict(void)
{
    volatile char *q = launder(malloc(64));
    free(launder((void *)q));
    q[3] = 'w'; /* BUG: write after free */
    /* Push it out of a 4 KiB quarantine. */
    for (int i = 0; i < 200; i++)
        free(launder(malloc(64)));
    return 0;
}

static int
repeat(void)
{
    char *p = launder(malloc(16));
    memset(p, 'r', 16);
    char out[64];
    volatile size_t n = 24;
    for (int i = 0; i < 3; i++)
        memcpy(out, p, n); /* BUG: reads 8 bytes past the end */
    ((volatile char *)p)[n] = 0; /* BUG: and writes past it */
    free(launder(p));
    return 0;
}

static int
clipped_sprintf(void)
{
    char *p = launder(malloc(8));
    int n = sprintf(p, "%s", "0123456789abcdefghij"); /* BUG: 21 bytes */
    /* The byte after the data, the first of the trailing pad. */
    unsigned char pad = ((volatile unsigned char *)p)[8];
    printf("sprintf: %d, %s\n", n, pad == 0xFD ? "clipped" : "overflowed");
    free(launder(p));
    return 0;
}

static void
on_segv(int sig)
{
    (void)sig;
    _exit(9); /* deadbyte passed a fault on: not expected */
}

static int
altstack(void)
{
    static char stack[16384];
    stack_t ss = {.ss_sp = stack, .ss_size = sizeof stack};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sa.sa_flags = SA_ONSTACK;
    if (sigaltstack(&ss, NULL) != 0 || sigaction(SIGSEGV, &sa, NULL) != 0)
        return 1;
    for (int i = 0; i < 3; i++) {
        volatile char *p = launder(malloc(32));
        size_t n = 32;
        p[n] = 1; /* BUG: overflow, a fault with a guard page */
        free(launder((void *)p));
    }
    return 0;
}

int
main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc != 2)
        return 2;
    int status = strcmp(argv[1], "threads") == 0    ? threads()
                 : strcmp(argv[1], "exit") == 0     ? at_exit()
                 : strcmp(argv[1], "realloc") == 0  ? reallocs()
                 : strcmp(argv[1], "evict") == 0    ? evict()
                 : strcmp(argv[1], "repeat") == 0   ? repeat()
                 : strcmp(argv[1], "sprintf") == 0  ? clipped_sprintf()
                 : strcmp(argv[1], "altstack") == 0 ? altstack()
                                                    : 2;
    printf("%s: done\n", argv[1]);
    return status;
}
