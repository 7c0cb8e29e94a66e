/* SPDX-License-Identifier: MIT */
/*
 * domains_tour.c -- the three domains used as CPython uses them, with no
 * bug: objects (obj domain) and buffers (mem domain) made by two threads
 * that take turns with the program's lock, which deadbyte checks; a large
 * buffer from the raw domain, which needs no lock; a page from mmap,
 * tracked while in use so that deadbyte would report it if it leaked; the
 * small-object allocator's arenas counted through an arena allocator of
 * our own; and the statistics at the end, on standard output.
 *
 * deadbyte says nothing and the program exits 0.  The statistics vary
 * from run to run (where arenas land decides how much alignment costs),
 * and count as in use the blocks that the debug hooks still hold in
 * their quarantine, freed but not yet given back.
 */
#include <deadbyte.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* ---- The program's lock, which knows who holds it ------------------ */

static struct {
    pthread_mutex_t mutex;
    pthread_t owner;
    int held;
} lock = {.mutex = PTHREAD_MUTEX_INITIALIZER};

static void
take_lock(void)
{
    pthread_mutex_lock(&lock.mutex);
    lock.owner = pthread_self();
    lock.held = 1;
}

static void
give_lock(void)
{
    lock.held = 0;
    pthread_mutex_unlock(&lock.mutex);
}

/* For deadbyte_set_lock_check: does the calling thread hold it? */
static int
held_by_caller(void *ctx)
{
    (void)ctx;
    return lock.held && pthread_equal(lock.owner, pthread_self());
}

/* ---- Arenas, counted ------------------------------------------------ */

static deadbyte_arena_allocator_t default_arenas;
static size_t arenas_now, arenas_most;

static void *
counted_alloc(void *ctx, size_t size)
{
    (void)ctx;
    void *arena = default_arenas.alloc(default_arenas.ctx, size);
    if (arena && ++arenas_now > arenas_most)
        arenas_most = arenas_now;
    return arena;
}

static void
counted_free(void *ctx, void *arena, size_t size)
{
    (void)ctx;
    arenas_now--;
    default_arenas.free(default_arenas.ctx, arena, size);
}

/* ---- Objects and buffers -------------------------------------------- */

struct node {
    struct node *next;
    char *label; /* a mem-domain buffer */
    int value;
};

#define NODES 20000

/* Build a list of NODES objects, each with a label, under the lock, a
 * thousand at a time so that the other thread gets its turns; then sum
 * it and free it. */
static void *
worker(void *arg)
{
    int id = (int)(size_t)arg;
    struct node *list = NULL;
    for (int i = 0; i < NODES; i++) {
        if (i % 1000 == 0)
            take_lock();
        struct node *n = deadbyte_obj_malloc(sizeof *n);
        n->label = DEADBYTE_NEW(char, 8);
        snprintf(n->label, 8, "%d-%d", id, i % 1000);
        if (i % 3 == 0) {
            /* Labels grow now and then: the block may move class. */
            DEADBYTE_RESIZE(n->label, char, 64);
            strcat(n->label, " (long)");
        }
        n->value = i;
        n->next = list;
        list = n;
        if (i % 1000 == 999)
            give_lock();
    }
    long sum = 0;
    take_lock();
    while (list) {
        struct node *next = list->next;
        sum += list->value;
        DEADBYTE_DEL(list->label);
        deadbyte_obj_free(list);
        list = next;
    }
    give_lock();
    return (void *)(size_t)(sum == (long)NODES * (NODES - 1) / 2);
}

int
main(void)
{
    deadbyte_set_lock_check(held_by_caller, NULL);
    deadbyte_get_arena_allocator(&default_arenas);
    deadbyte_arena_allocator_t counted = {NULL, counted_alloc, counted_free};
    deadbyte_set_arena_allocator(&counted);

    /* The raw domain is thread-safe: no lock needed. */
    char *big = deadbyte_raw_calloc(1, 1 << 20);
    strcpy(big, "a large buffer from the raw domain");

    /* Memory from elsewhere, made known to deadbyte while in use (-2:
     * the allocator mode has no debug hooks, nothing keeps track). */
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int tracked = page == MAP_FAILED
                      ? -1
                      : deadbyte_track(DEADBYTE_DOMAIN_RAW, page, 4096);
    if (tracked == -1)
        return 1;
    strcpy(page, "and a tracked page");

    pthread_t threads[2];
    for (size_t t = 0; t < 2; t++)
        pthread_create(&threads[t], NULL, worker, (void *)t);
    int ok = 1;
    for (size_t t = 0; t < 2; t++) {
        void *result;
        pthread_join(threads[t], &result);
        ok = ok && result;
    }

    printf("%s, %s; lists summed %s; at most %zu arenas, %zu now\n\n",
           big, page, ok ? "correctly" : "WRONGLY", arenas_most, arenas_now);
    deadbyte_raw_free(big);
    if (tracked == 0)
        deadbyte_untrack(DEADBYTE_DOMAIN_RAW, page);
    munmap(page, 4096);
    fflush(stdout); /* the statistics go straight to fd 1 */
    take_lock();
    deadbyte_print_stats(1);
    give_lock();
    return ok ? 0 : 1;
}
