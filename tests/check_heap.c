/* SPDX-License-Identifier: MIT */
/*
 * check_heap.c -- deadbyte's own heap (lib/heap.h), called directly:
 * every size class (aligned, usable, found by heap_slot_of, slots of
 * live blocks disjoint), every power-of-two alignment, heap_slot_of for
 * every byte of a block and around it and for addresses that are not
 * the heap's, frees from other threads, empty spans given back to the
 * system, large blocks between PROT_NONE pages, fork while other threads
 * allocate and free, a million live blocks, and the walk of used slots.
 *
 * The tests that count bytes assume a fresh heap, which Check's default
 * fork mode gives each test.
 */
#include "config.h"

#include "death.h"
#include "heap.h"
#include "registry.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* glibc's allocator, by the names it exports besides malloc. */
void *__libc_malloc(size_t);
void __libc_free(void *);

#define KIB ((size_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)

static size_t
page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

static struct heap_counts
counts(void)
{
    struct heap_counts c;
    heap_get_counts(&c);
    return c;
}

/* Resident bytes of this process, from /proc/self/statm. */
static size_t
rss(void)
{
    FILE *statm = fopen("/proc/self/statm", "r");
    ck_assert_ptr_nonnull(statm);
    unsigned long size, resident;
    ck_assert_int_eq(fscanf(statm, "%lu %lu", &size, &resident), 2);
    fclose(statm);
    return (size_t)resident * page_size();
}

static double
now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/*
 * The checks that run millions of times test first and call Check only
 * to fail: each passing ck_assert writes a mark to Check's pipe.
 */

static bool
same_slot(const struct heap_slot *a, const struct heap_slot *b)
{
    return a->start == b->start && a->size == b->size && a->meta == b->meta &&
           a->large_size == b->large_size;
}

/* The slot of P, which must hold all of [P, P+SIZE) (P itself when SIZE
 * is 0), found the same from P's first and last byte. */
static struct heap_slot
slot_holding(const void *p, size_t size)
{
    uintptr_t a = (uintptr_t)p;
    size_t len = size ? size : 1;
    struct heap_slot s, last;
    if (!heap_owns(a) || !heap_slot_of(a, &s))
        ck_abort_msg("no slot for %p (%zu bytes)", p, size);
    if (!(s.start <= a && a + len <= s.start + s.size) || !s.meta)
        ck_abort_msg("the slot [%#lx, +%zu) does not hold [%p, +%zu)",
                     (unsigned long)s.start, s.size, p, size);
    if (!heap_slot_of(a + len - 1, &last) || !same_slot(&s, &last))
        ck_abort_msg("the last byte of [%p, +%zu) is not in its slot", p,
                     size);
    return s;
}

static void
fill(void *p, size_t n, unsigned seed)
{
    unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(i * 7 + seed);
}

static void
assert_filled(const void *p, size_t n, unsigned seed)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != (unsigned char)(i * 7 + seed))
            ck_abort_msg("byte %zu of the %zu-byte block %p is 0x%02x, "
                         "not 0x%02x", i, n, p, b[i],
                         (unsigned char)(i * 7 + seed));
}

static int
compare_uintptr(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return x < y ? -1 : x > y;
}

/* ---- Size classes --------------------------------------------------- */

/*
 * The sizes to try: every size 0..4096, then around every class boundary
 * above (a class's slot size, one less and one more, found by asking),
 * then a few large ones.  Returns how many, in SIZES.
 */
static size_t
sizes_to_try(size_t *sizes, size_t max)
{
    size_t count = 0;
    for (size_t n = 0; n <= 4096; n++)
        sizes[count++] = n;
    size_t previous = 0;
    for (size_t n = 4097; n <= HEAP_SMALL_MAX;) {
        void *p = heap_malloc(NULL, n);
        ck_assert_ptr_nonnull(p);
        struct heap_slot s = slot_holding(p, n);
        heap_free(NULL, p);
        ck_assert_ptr_null(s.large_size);
        ck_assert_uint_ge(s.size, previous); /* classes grow with size */
        previous = s.size;
        size_t top = s.size < HEAP_SMALL_MAX ? s.size : HEAP_SMALL_MAX;
        ck_assert_uint_le(count + 3, max);
        sizes[count++] = n;
        if (top - 1 > n)
            sizes[count++] = top - 1;
        if (top > n)
            sizes[count++] = top;
        n = top + 1;
    }
    static const size_t large[] = {
        HEAP_SMALL_MAX + 1, HEAP_SMALL_MAX + 4095, HEAP_SMALL_MAX + 4096,
        MIB - 1, MIB, MIB + 1, 3 * MIB + 17,
    };
    for (size_t i = 0; i < sizeof large / sizeof large[0]; i++) {
        ck_assert_uint_lt(count, max);
        sizes[count++] = large[i];
    }
    return count;
}

#define COPIES 3
static size_t try_sizes[4097 + 3 * 256 + 16];
static struct live {
    unsigned char *p;
    size_t size;
    struct heap_slot slot;
} lives[COPIES * (sizeof try_sizes / sizeof try_sizes[0])];

static int
compare_slot_start(const void *a, const void *b)
{
    const struct live *x = a, *y = b;
    return x->slot.start < y->slot.start ? -1 : x->slot.start > y->slot.start;
}

/*
 * Every size, COPIES blocks each, all live at once: 16-aligned, in a slot
 * that holds them, a fresh slot's record HEAP_FREE, each block's bytes
 * ours to write without touching another's, and no two slots overlap.
 */
START_TEST(test_heap_every_size_class)
{
    size_t n_sizes = sizes_to_try(try_sizes,
                                  sizeof try_sizes / sizeof try_sizes[0]);
    size_t n = 0;
    for (size_t i = 0; i < n_sizes; i++)
        for (int c = 0; c < COPIES; c++) {
            size_t size = try_sizes[i];
            unsigned char *p = heap_malloc(NULL, size);
            ck_assert_ptr_nonnull(p);
            ck_assert_msg((uintptr_t)p % 16 == 0, "%zu bytes at %p", size,
                          (void *)p);
            struct heap_slot s = slot_holding(p, size);
            ck_assert_uint_eq(atomic_load((_Atomic uint8_t *)&s.meta->state),
                              HEAP_FREE);
            /* A large block's requested size is the registry's to
             * write, beside its mapping. */
            if (size > HEAP_SMALL_MAX)
                ck_assert_ptr_nonnull(s.large_size);
            else
                ck_assert_ptr_null(s.large_size);
            fill(p, size, (unsigned)n);
            lives[n++] = (struct live){p, size, s};
        }
    for (size_t i = 0; i < n; i++)
        assert_filled(lives[i].p, lives[i].size, (unsigned)i);
    qsort(lives, n, sizeof lives[0], compare_slot_start);
    for (size_t i = 1; i < n; i++) {
        const struct heap_slot *a = &lives[i - 1].slot, *b = &lives[i].slot;
        ck_assert_msg(a->start + a->size <= b->start,
                      "slots [%#lx, +%zu) and [%#lx, +%zu) overlap",
                      (unsigned long)a->start, a->size,
                      (unsigned long)b->start, b->size);
        ck_assert_ptr_ne(a->meta, b->meta);
    }
    for (size_t i = 0; i < n; i++)
        heap_free(NULL, lives[i].p);
}
END_TEST

/* The allocator's contracts: size 0, calloc's zeros (also over a dirty
 * slot reused), overflow and impossible sizes, free(NULL), realloc. */
START_TEST(test_heap_contracts)
{
    void *a = heap_malloc(NULL, 0), *b = heap_malloc(NULL, 0);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_ne(a, b);
    heap_free(NULL, a);
    heap_free(NULL, b);
    heap_free(NULL, NULL);

    static const size_t sizes[] = {1, 100, 4096, 70000, HEAP_SMALL_MAX,
                                   HEAP_SMALL_MAX + 1, 2 * MIB};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        for (int round = 0; round < 8; round++) {
            unsigned char *dirty = heap_malloc(NULL, n);
            memset(dirty, 0xA5, n);
            heap_free(NULL, dirty);
            unsigned char *z = heap_calloc(NULL, n, 1);
            ck_assert_ptr_nonnull(z);
            slot_holding(z, n);
            for (size_t j = 0; j < n; j++)
                if (z[j] != 0)
                    ck_abort_msg("calloc(%zu): byte %zu is 0x%02x", n, j,
                                 z[j]);
            heap_free(NULL, z);
        }
    }

    errno = 0;
    ck_assert_ptr_null(heap_calloc(NULL, SIZE_MAX / 2, 3));
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    ck_assert_ptr_null(heap_malloc(NULL, SIZE_MAX - 4096));
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    ck_assert_ptr_null(heap_memalign(4096, SIZE_MAX - 4096));
    ck_assert_int_eq(errno, ENOMEM);

    unsigned char *r = heap_realloc(NULL, NULL, 40);
    ck_assert_ptr_nonnull(r);
    fill(r, 40, 1);
    r = heap_realloc(NULL, r, 4000);
    slot_holding(r, 4000);
    assert_filled(r, 40, 1);
    fill(r, 4000, 2);
    r = heap_realloc(NULL, r, 24);
    slot_holding(r, 24);
    assert_filled(r, 24, 2);
    heap_free(NULL, r);
}
END_TEST

/* ---- Alignment ------------------------------------------------------- */

/*
 * heap_memalign with every power of two from 1 to 1 MiB, a few sizes
 * each: aligned, usable, held by its slot, and freed through pointers
 * into its slot other than its start.  Memory freed that way comes back:
 * a hundred rounds of the same request leave the bytes in use as they
 * were, where lost frees would add a slot each.
 */
START_TEST(test_heap_memalign_every_power_of_two)
{
    for (size_t align = 1; align <= MIB; align *= 2) {
        const size_t sizes[] = {1, 24, align > 1 ? align - 1 : 2, align,
                                align + 1, 3 * align / 2 + 5, 5000};
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            size_t size = sizes[i];
            unsigned char *p = heap_memalign(align, size);
            ck_assert_msg(p != NULL, "memalign(%zu, %zu)", align, size);
            ck_assert_msg((uintptr_t)p % align == 0 && (uintptr_t)p % 16 == 0,
                          "memalign(%zu, %zu) gave %p", align, size,
                          (void *)p);
            fill(p, size, (unsigned)align);
            struct heap_slot s = slot_holding(p, size);
            assert_filled(p, size, (unsigned)align);
            size_t before = counts().in_use;
            int rounds = size > 64 * KIB ? 16 : 100;
            for (int round = 0; round < rounds; round++) {
                /* Through the middle of the block, the slot's last
                 * byte, the slot's start, the block's start. */
                uintptr_t inside[] = {(uintptr_t)p + size / 2,
                                      s.start + s.size - 1, s.start,
                                      (uintptr_t)p};
                heap_free(NULL, (void *)inside[round % 4]);
                p = heap_memalign(align, size);
                ck_assert_ptr_nonnull(p);
                ck_assert_uint_eq((uintptr_t)p % align, 0);
                p[0] = 1;
                p[size - 1] = 2;
                s = slot_holding(p, size);
            }
            size_t after = counts().in_use;
            ck_assert_msg(after < before + rounds * s.size / 2,
                          "memalign(%zu, %zu): %zu bytes in use before "
                          "%d rounds of free and memalign, %zu after",
                          align, size, before, rounds, after);
            heap_free(NULL, p + size - 1);
        }
    }
}
END_TEST

/* ---- heap_slot_of ---------------------------------------------------- */

/* A slot next to S, found from the byte at ADDR just outside it: either
 * none (a span's header, a guard page), or one that ends or starts at
 * S's edge. */
static void
assert_neighbour(const struct heap_slot *s, uintptr_t addr)
{
    struct heap_slot t;
    if (!heap_slot_of(addr, &t))
        return;
    ck_assert_ptr_ne(t.meta, s->meta);
    if (addr < s->start)
        ck_assert_uint_eq(t.start + t.size, s->start);
    else
        ck_assert_uint_eq(t.start, s->start + s->size);
    ck_assert(t.start <= addr && addr < t.start + t.size);
}

/* Every byte of a few blocks' slots leads to the slot; the bytes just
 * outside lead to a neighbour or nowhere (nowhere for large blocks: their
 * guard pages); a span's first byte, its header, is the heap's but in no
 * slot. */
START_TEST(test_heap_slot_of_every_byte)
{
    static const size_t sizes[] = {1, 16, 48, 100, 1000, 4096, 5000, 70000,
                                   HEAP_SMALL_MAX, HEAP_SMALL_MAX + 1,
                                   MIB + 5};
    enum { N = sizeof sizes / sizeof sizes[0] };
    void *blocks[N + 1];
    for (size_t i = 0; i < N; i++)
        blocks[i] = heap_malloc(NULL, sizes[i]);
    blocks[N] = heap_memalign(64 * KIB, 100 * KIB);
    for (size_t i = 0; i <= N; i++) {
        size_t size = i < N ? sizes[i] : 100 * KIB;
        struct heap_slot s = slot_holding(blocks[i], size);
        for (uintptr_t a = s.start; a < s.start + s.size; a++) {
            struct heap_slot t;
            if (!heap_slot_of(a, &t))
                ck_abort_msg("byte %#lx of the slot [%#lx, +%zu): no slot",
                             (unsigned long)a, (unsigned long)s.start,
                             s.size);
            if (!same_slot(&s, &t))
                ck_abort_msg("byte %#lx of the slot [%#lx, +%zu): the slot "
                             "[%#lx, +%zu)", (unsigned long)a,
                             (unsigned long)s.start, s.size,
                             (unsigned long)t.start, t.size);
        }
        struct heap_slot t;
        if (s.large_size) {
            ck_assert(!heap_slot_of(s.start - 1, &t));
            ck_assert(!heap_slot_of(s.start + s.size, &t));
        } else {
            assert_neighbour(&s, s.start - 1);
            assert_neighbour(&s, s.start + s.size);
            uintptr_t span = s.start & ~(uintptr_t)(HEAP_SPAN_SIZE - 1);
            ck_assert(heap_owns(span));
            ck_assert(heap_owns(span + HEAP_SPAN_SIZE - 1));
            ck_assert(!heap_slot_of(span, &t)); /* the span's header */
        }
    }
    for (size_t i = 0; i <= N; i++)
        heap_free(NULL, blocks[i]);
}
END_TEST

static int static_data[4];

/* Addresses that are not the heap's: no owner, no slot, no crash. */
START_TEST(test_heap_slot_of_foreign)
{
    void *mine = heap_malloc(NULL, 64); /* the heap is not empty */
    char local[16];
    void *glibc_small = __libc_malloc(100);
    void *glibc_mapped = __libc_malloc(4 * MIB);
    void *own_map = mmap(NULL, HEAP_SPAN_SIZE, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(own_map, MAP_FAILED);
    const uintptr_t foreign[] = {
        0, 1, 4095, 4096, 65536, (uintptr_t)-1, (uintptr_t)-4096,
        (uintptr_t)1 << 47, ((uintptr_t)1 << 47) - 1, (uintptr_t)1 << 48,
        (uintptr_t)1 << 56, (uintptr_t)1 << 63,
        (uintptr_t)launder(local), (uintptr_t)static_data,
        (uintptr_t)&test_heap_slot_of_foreign, (uintptr_t)&errno,
        (uintptr_t)glibc_small, (uintptr_t)glibc_small + 50,
        (uintptr_t)glibc_mapped, (uintptr_t)glibc_mapped + 3 * MIB,
        (uintptr_t)own_map, (uintptr_t)own_map + HEAP_SPAN_SIZE - 1,
    };
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
        struct heap_slot s;
        ck_assert_msg(!heap_owns(foreign[i]), "heap_owns(%#lx)",
                      (unsigned long)foreign[i]);
        ck_assert_msg(!heap_slot_of(foreign[i], &s), "heap_slot_of(%#lx)",
                      (unsigned long)foreign[i]);
    }
    /* Any address at all: a slot found holds the address. */
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uintptr_t a = (uintptr_t)(i % 2 ? x : x & (((uint64_t)1 << 47) - 1));
        struct heap_slot s;
        if (heap_slot_of(a, &s) &&
            (!heap_owns(a) || a < s.start || a - s.start >= s.size))
            ck_abort_msg("%#lx: the slot [%#lx, +%zu)", (unsigned long)a,
                         (unsigned long)s.start, s.size);
    }
    munmap(own_map, HEAP_SPAN_SIZE);
    __libc_free(glibc_small);
    __libc_free(glibc_mapped);
    heap_free(NULL, mine);
}
END_TEST

/* heap_for_each_region covers the slots of the spans, in regions neither
 * overlapping nor touching (neighbours are merged).  (Large mappings are
 * not reported today, though heap.h says they are: not tested here.) */
static struct {
    uintptr_t start[4096], end[4096];
    size_t n;
} regions;

static void
note_region(uintptr_t start, uintptr_t end, void *arg)
{
    (void)arg;
    ck_assert_uint_lt(start, end);
    ck_assert_uint_lt(regions.n, 4096);
    regions.start[regions.n] = start;
    regions.end[regions.n++] = end;
}

START_TEST(test_heap_regions_cover_slots)
{
    static const size_t sizes[] = {8, 500, 5000, 100000, HEAP_SMALL_MAX};
    enum { N = sizeof sizes / sizeof sizes[0] };
    void *blocks[N];
    for (size_t i = 0; i < N; i++)
        blocks[i] = heap_malloc(NULL, sizes[i]);
    regions.n = 0;
    heap_for_each_region(note_region, NULL);
    ck_assert_uint_gt(regions.n, 0);
    for (size_t i = 0; i < regions.n; i++)
        for (size_t j = 0; j < regions.n; j++)
            if (i != j)
                ck_assert_msg(regions.end[i] <= regions.start[j] ||
                                  regions.end[j] <= regions.start[i],
                              "regions %zu and %zu overlap", i, j);
    for (size_t i = 0; i < N; i++) {
        struct heap_slot s = slot_holding(blocks[i], sizes[i]);
        bool covered = false;
        for (size_t j = 0; j < regions.n; j++)
            covered |= regions.start[j] <= s.start &&
                       s.start + s.size <= regions.end[j];
        ck_assert_msg(covered, "the slot of the %zu-byte block is in no "
                      "region", sizes[i]);
    }
    for (size_t i = 0; i < N; i++)
        heap_free(NULL, blocks[i]);
}
END_TEST

/* ---- Frees from other threads ---------------------------------------- */

#define PRODUCERS 3
#define PER_PRODUCER 100000
#define QUEUE 1024

static struct {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    void *items[QUEUE];
    size_t head, count;
    int producers_left;
} queue = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
           PTHREAD_COND_INITIALIZER, {0}, 0, 0, 0};

/* The most spans the heap had made, as the threads saw it. */
static atomic_size_t max_spans;

static void
note_spans(void)
{
    size_t spans = counts().spans;
    size_t seen = atomic_load(&max_spans);
    while (spans > seen &&
           !atomic_compare_exchange_weak(&max_spans, &seen, spans))
        ;
}

/* A block of 16..4096 bytes that says its size at its start and its
 * address at its end. */
static void *
tagged_block(uint64_t *seed)
{
    *seed = *seed * 6364136223846793005u + 1442695040888963407u;
    size_t size = 16 + (size_t)(*seed >> 33) % 4081;
    unsigned char *p = heap_malloc(NULL, size);
    ck_assert_ptr_nonnull(p);
    uint64_t tag = (uint64_t)(uintptr_t)p ^ size;
    memcpy(p, &size, sizeof size);
    memcpy(p + size - sizeof tag, &tag, sizeof tag);
    return p;
}

static void
check_tag(const unsigned char *p)
{
    size_t size;
    uint64_t tag;
    memcpy(&size, p, sizeof size);
    if (size < 16 || size > 4096)
        ck_abort_msg("block %p: size tag %zu", (const void *)p, size);
    memcpy(&tag, p + size - sizeof tag, sizeof tag);
    if (tag != ((uint64_t)(uintptr_t)p ^ size))
        ck_abort_msg("block %p of %zu bytes: its tail was overwritten",
                     (const void *)p, size);
    slot_holding(p, size);
}

static void *
producer(void *arg)
{
    uint64_t seed = (uint64_t)(uintptr_t)arg * 0x9E3779B97F4A7C15u + 1;
    for (int i = 0; i < PER_PRODUCER; i++) {
        void *p = tagged_block(&seed);
        pthread_mutex_lock(&queue.lock);
        while (queue.count == QUEUE)
            pthread_cond_wait(&queue.not_full, &queue.lock);
        queue.items[(queue.head + queue.count++) % QUEUE] = p;
        pthread_cond_signal(&queue.not_empty);
        pthread_mutex_unlock(&queue.lock);
        if (i % 4096 == 0)
            note_spans();
    }
    pthread_mutex_lock(&queue.lock);
    queue.producers_left--;
    pthread_cond_signal(&queue.not_empty);
    pthread_mutex_unlock(&queue.lock);
    return NULL;
}

static void *
consumer(void *arg)
{
    size_t *freed = arg;
    for (;;) {
        pthread_mutex_lock(&queue.lock);
        while (queue.count == 0 && queue.producers_left > 0)
            pthread_cond_wait(&queue.not_empty, &queue.lock);
        if (queue.count == 0) {
            pthread_mutex_unlock(&queue.lock);
            return NULL;
        }
        void *p = queue.items[queue.head];
        queue.head = (queue.head + 1) % QUEUE;
        queue.count--;
        pthread_cond_signal(&queue.not_full);
        pthread_mutex_unlock(&queue.lock);
        check_tag(p);
        heap_free(NULL, p);
        ++*freed;
    }
}

/*
 * Three threads allocate 300,000 blocks of 16..4096 bytes (600 MB in all),
 * a fourth frees them: never more than QUEUE of them live, so the heap
 * must reuse what the fourth thread freed, the spans it makes staying far
 * below what went through.  No block is handed out twice (each keeps its
 * tags until freed), and once all are freed, none is still counted in
 * use.
 */
START_TEST(test_heap_cross_thread_frees)
{
    queue.producers_left = PRODUCERS;
    pthread_t producers[PRODUCERS], freer;
    size_t freed = 0;
    ck_assert_int_eq(pthread_create(&freer, NULL, consumer, &freed), 0);
    for (intptr_t t = 0; t < PRODUCERS; t++)
        ck_assert_int_eq(pthread_create(&producers[t], NULL, producer,
                                        (void *)(t + 1)), 0);
    for (int t = 0; t < PRODUCERS; t++)
        pthread_join(producers[t], NULL);
    pthread_join(freer, NULL);
    ck_assert_uint_eq(freed, (size_t)PRODUCERS * PER_PRODUCER);
    note_spans();
    size_t peak = atomic_load(&max_spans);
    ck_assert_msg(peak * HEAP_SPAN_SIZE < 128 * MIB, "%zu spans made, for "
                  "%d live blocks of 4 KiB at most", peak, QUEUE);

    /* Nothing is left in the caches of the threads that ended, nor in
     * lists of frees from other threads. */
    size_t in_use = counts().in_use;
    ck_assert_msg(in_use <= 16 * MIB, "%zu bytes still in use after every "
                  "block was freed", in_use);
}
END_TEST

/* A thread that ends gives the slots in its cache back: 4 times 16
 * threads at once, each taking and freeing blocks of every class, leave
 * no more in use than one did. */
static void *
use_every_class(void *arg)
{
    (void)arg;
    void *blocks[64][8];
    for (int round = 0; round < 4; round++) {
        for (int c = 0; c < 64; c++)
            for (int j = 0; j < 8; j++) {
                blocks[c][j] = heap_malloc(NULL, (size_t)c * 64 + 16);
                ck_assert_ptr_nonnull(blocks[c][j]);
            }
        for (int c = 0; c < 64; c++)
            for (int j = 0; j < 8; j++)
                heap_free(NULL, blocks[c][j]);
    }
    return NULL;
}

START_TEST(test_heap_thread_exit_returns_cache)
{
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, use_every_class, NULL), 0);
    pthread_join(t, NULL);
    size_t one = counts().in_use;
    for (int round = 0; round < 4; round++) {
        pthread_t many[16];
        for (int i = 0; i < 16; i++)
            ck_assert_int_eq(pthread_create(&many[i], NULL, use_every_class,
                                            NULL), 0);
        for (int i = 0; i < 16; i++)
            pthread_join(many[i], NULL);
    }
    size_t all = counts().in_use;
    ck_assert_msg(all <= one + MIB, "%zu bytes in use after a thread took "
                  "and freed blocks of every class, %zu after 64 more",
                  one, all);
}
END_TEST

/* ---- Spans back to the system ----------------------------------------- */

#define SPAN_TEST_BLOCK 1024
#define SPAN_TEST_BYTES (64 * MIB)
static void *span_blocks[SPAN_TEST_BYTES / SPAN_TEST_BLOCK];

/* 64 MiB of 1 KiB blocks, written, freed: heap_trim gives most of their
 * pages back (RSS drops), and the spans serve again afterwards. */
START_TEST(test_heap_span_return)
{
    enum { N = sizeof span_blocks / sizeof span_blocks[0] };
    struct heap_counts c0 = counts();
    size_t rss0 = rss();
    for (size_t i = 0; i < N; i++) {
        span_blocks[i] = heap_malloc(NULL, SPAN_TEST_BLOCK);
        ck_assert_ptr_nonnull(span_blocks[i]);
        memset(span_blocks[i], 0x5A, SPAN_TEST_BLOCK);
    }
    struct heap_counts c1 = counts();
    size_t rss1 = rss();
    ck_assert_uint_ge(rss1, rss0 + SPAN_TEST_BYTES);
    ck_assert_uint_ge(c1.in_use, c0.in_use + SPAN_TEST_BYTES);
    ck_assert_uint_ge(c1.mapped, c1.in_use);
    ck_assert_uint_ge(c1.spans, c0.spans + SPAN_TEST_BYTES / HEAP_SPAN_SIZE);
    ck_assert_uint_le(c1.in_use, c1.mapped);

    for (size_t i = 0; i < N; i++)
        heap_free(NULL, span_blocks[i]);
    heap_trim();
    struct heap_counts c2 = counts();
    size_t rss2 = rss();
    ck_assert_msg(rss2 + SPAN_TEST_BYTES / 4 * 3 <= rss1,
                  "RSS %zu KiB before, %zu with 64 MiB of blocks, %zu after "
                  "they were freed and the heap trimmed",
                  rss0 / KIB, rss1 / KIB, rss2 / KIB);
    ck_assert_msg(c2.in_use <= c0.in_use + 4 * MIB,
                  "%zu bytes in use at first, %zu after everything was "
                  "freed", c0.in_use, c2.in_use);
    ck_assert_uint_le(c2.in_use, c2.mapped);

    /* The spans given back serve again, not new ones. */
    for (size_t i = 0; i < N; i++) {
        span_blocks[i] = heap_malloc(NULL, SPAN_TEST_BLOCK);
        memset(span_blocks[i], 0xA5, SPAN_TEST_BLOCK);
    }
    struct heap_counts c3 = counts();
    ck_assert_uint_le(c3.mapped, c1.mapped + HEAP_SPAN_SIZE);
    ck_assert_uint_le(c3.spans, c1.spans + 1);
    for (size_t i = 0; i < N; i++)
        heap_free(NULL, span_blocks[i]);
}
END_TEST

/* ---- Large blocks ------------------------------------------------------ */

struct guard_case {
    size_t align, size;
    bool after; /* the page past the slot, else the one before */
};

/* Allocate as CASE says, write every byte, then touch the guard. */
static void
touch_guard(void *arg)
{
    const struct guard_case *c = arg;
    unsigned char *p = c->align ? heap_memalign(c->align, c->size)
                                : heap_malloc(NULL, c->size);
    if (!p)
        _exit(2);
    memset(p, 1, c->size);
    struct heap_slot s;
    if (!heap_slot_of((uintptr_t)p, &s) || !s.large_size)
        _exit(3);
    size_t page = page_size();
    volatile unsigned char *guard =
        c->after ? (unsigned char *)((s.start + s.size + page - 1) &
                                     ~(uintptr_t)(page - 1))
                 : (unsigned char *)((s.start & ~(uintptr_t)(page - 1)) - 1);
    if (c->after)
        *guard = 1;
    else
        (void)*guard;
    _exit(0); /* not reached: the guard page stops it */
}

START_TEST(test_heap_large_guard_pages)
{
    static const struct death segv = {SIGSEGV, NULL};
    const struct guard_case cases[] = {
        {0, HEAP_SMALL_MAX + 1, false}, {0, HEAP_SMALL_MAX + 1, true},
        {0, MIB + 100, false},          {0, MIB + 100, true},
        {0, 3 * MIB, true},             {64 * KIB, 300 * KIB, false},
        {64 * KIB, 300 * KIB, true},    {MIB, MIB + 1, false},
        {MIB, MIB + 1, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_death(touch_guard, (void *)&cases[i], &segv);
}
END_TEST

/* Large blocks grown and shrunk (and through the small classes and back)
 * keep their bytes. */
START_TEST(test_heap_large_realloc)
{
    static const size_t steps[] = {300 * KIB, 2 * MIB, 8 * MIB + 3, MIB,
                                   HEAP_SMALL_MAX + 1, 270 * KIB, 1000,
                                   600 * KIB, 16 * MIB, 100};
    size_t size = steps[0];
    unsigned char *p = heap_malloc(NULL, size);
    fill(p, size, 9);
    for (size_t i = 1; i < sizeof steps / sizeof steps[0]; i++) {
        size_t kept = size < steps[i] ? size : steps[i];
        p = heap_realloc(NULL, p, steps[i]);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % 16, 0);
        struct heap_slot s = slot_holding(p, steps[i]);
        ck_assert((s.large_size != NULL) == (steps[i] > HEAP_SMALL_MAX));
        assert_filled(p, kept, 9);
        size = steps[i];
        fill(p, size, 9);
    }
    heap_free(NULL, p);
}
END_TEST

static int
compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A 4 GiB block costs a mapping, not its pages: quick, and RSS grows by
 * what is touched of it only. */
START_TEST(test_heap_4gib_is_cheap)
{
    double times[5];
    for (int round = 0; round < 5; round++) {
        size_t rss0 = rss();
        double t0 = now();
        unsigned char *p = heap_malloc(NULL, 4 * GIB);
        double t1 = now();
        ck_assert_ptr_nonnull(p);
        p[0] = 1;
        p[4 * GIB - 1] = 2;
        struct heap_slot s = slot_holding(p, 4 * GIB);
        ck_assert_ptr_nonnull(s.large_size);
        ck_assert_uint_lt(rss(), rss0 + 4 * MIB);
        double t2 = now();
        heap_free(NULL, p);
        times[round] = (t1 - t0) + (now() - t2);
    }
    qsort(times, 5, sizeof times[0], compare_double);
    ck_assert_msg(times[2] < 0.050, "a 4 GiB malloc and free took %.1f ms "
                  "(median of 5)", times[2] * 1e3);
}
END_TEST

/* ---- Fork ------------------------------------------------------------- */

#define CHURNERS 3
#define FORKS 150
#define MAILBOXES 256

static atomic_bool stop_churn;
static atomic_int churn_failures; /* NULL from heap_malloc */
static _Atomic(void *) mailboxes[MAILBOXES];

/* Allocate and free in a loop, some blocks large, half of them freed by
 * whichever thread finds them in a mailbox.  No Check call here: a child
 * forked while one held Check's lock would wait for it forever. */
static void *
churn(void *arg)
{
    uint64_t seed = (uint64_t)(uintptr_t)arg * 0x9E3779B97F4A7C15u + 7;
    void *mine[32] = {0};
    while (!atomic_load(&stop_churn)) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        unsigned k = (unsigned)(seed >> 40) % 32;
        size_t size = (seed >> 20) % 64 == 0 ? HEAP_SMALL_MAX + 4096
                                              : (size_t)(seed >> 48) % 3000;
        if (mine[k]) {
            if (seed & 1) {
                heap_free(NULL, mine[k]);
            } else {
                void *old = atomic_exchange(
                    &mailboxes[(seed >> 8) % MAILBOXES], mine[k]);
                if (old)
                    heap_free(NULL, old);
            }
        }
        mine[k] = heap_malloc(NULL, size);
        if (!mine[k]) {
            atomic_fetch_add(&churn_failures, 1);
            break;
        }
        memset(mine[k], 0x11, size < 64 ? size : 64);
    }
    for (int k = 0; k < 32; k++)
        heap_free(NULL, mine[k]);
    return NULL;
}

/* The child: the heap works, and the process ends within 10 s.  No
 * Check call (see churn). */
static void
child_uses_heap(void)
{
    alarm(10);
    void *blocks[300];
    for (int i = 0; i < 300; i++) {
        size_t size = i % 50 == 0 ? HEAP_SMALL_MAX + 1 : (size_t)i * 13;
        blocks[i] = heap_malloc(NULL, size);
        if (!blocks[i])
            _exit(2);
        memset(blocks[i], 0x22, size);
        struct heap_slot s;
        if (!heap_slot_of((uintptr_t)blocks[i], &s))
            _exit(3);
    }
    for (int i = 0; i < 300; i++)
        heap_free(NULL, blocks[i]);
    /* What the parent's threads left in the mailboxes, too. */
    for (int i = 0; i < MAILBOXES; i++)
        heap_free(NULL, atomic_exchange(&mailboxes[i], NULL));
    heap_trim();
    _exit(0);
}

/*
 * The main thread forks again and again while three threads allocate and
 * free: each child allocates and frees and exits 0, never stuck on a lock
 * held by a thread that did not come along.
 */
START_TEST(test_heap_fork_during_frees)
{
    pthread_t threads[CHURNERS];
    atomic_store(&stop_churn, false);
    for (intptr_t t = 0; t < CHURNERS; t++)
        ck_assert_int_eq(pthread_create(&threads[t], NULL, churn,
                                        (void *)t), 0);
    for (int i = 0; i < FORKS; i++) {
        pid_t pid = fork();
        if (pid == 0)
            child_uses_heap();
        ck_assert_int_ne(pid, -1);
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                      "fork %d: the child ended with status 0x%x%s", i,
                      status, WIFSIGNALED(status) &&
                                      WTERMSIG(status) == SIGALRM
                                  ? " (stuck: killed by its alarm)"
                                  : "");
        /* The parent's heap still works. */
        void *p = heap_malloc(NULL, 100);
        slot_holding(p, 100);
        heap_free(NULL, p);
    }
    atomic_store(&stop_churn, true);
    for (int t = 0; t < CHURNERS; t++)
        pthread_join(threads[t], NULL);
    ck_assert_int_eq(atomic_load(&churn_failures), 0);
    for (int i = 0; i < MAILBOXES; i++)
        heap_free(NULL, atomic_exchange(&mailboxes[i], NULL));
}
END_TEST

/* ---- Scale -------------------------------------------------------------- */

#define MILLION 1000000
static unsigned char *million[MILLION];
static uintptr_t million_slots[MILLION];

/* A million small blocks live at once: each found in its own slot, each
 * keeping what was written in it; freed, their bytes are no longer in
 * use. */
START_TEST(test_heap_million_live_blocks)
{
    size_t in_use0 = counts().in_use;
    for (size_t i = 0; i < MILLION; i++) {
        size_t size = 16 + i % 8 * 16;
        million[i] = heap_malloc(NULL, size);
        if (!million[i])
            ck_abort_msg("block %zu: NULL", i);
        memcpy(million[i], &i, sizeof i);
        million[i][size - 1] = (unsigned char)i;
    }
    ck_assert_uint_ge(counts().in_use, in_use0 + (size_t)MILLION * 72);
    for (size_t i = 0; i < MILLION; i++) {
        size_t size = 16 + i % 8 * 16, tag;
        struct heap_slot s = slot_holding(million[i], size);
        memcpy(&tag, million[i], sizeof tag);
        if (tag != i || million[i][size - 1] != (unsigned char)i)
            ck_abort_msg("block %zu was overwritten", i);
        million_slots[i] = s.start;
    }
    qsort(million_slots, MILLION, sizeof million_slots[0], compare_uintptr);
    for (size_t i = 1; i < MILLION; i++)
        if (million_slots[i - 1] >= million_slots[i])
            ck_abort_msg("two blocks in the slot at %#lx",
                         (unsigned long)million_slots[i]);
    for (size_t i = 0; i < MILLION; i++)
        heap_free(NULL, million[i]);
    size_t in_use = counts().in_use;
    ck_assert_msg(in_use <= in_use0 + 4 * MIB,
                  "%zu bytes in use before, %zu after a million blocks "
                  "were allocated and freed", in_use0, in_use);
}
END_TEST

/* ---- heap_for_each_used ------------------------------------------------ */

#define WALKED 1200
static struct {
    uintptr_t starts[2 * WALKED];
    size_t n, bad_state;
} walk;

static void
note_used(const struct heap_slot *s, void *arg)
{
    ck_assert_ptr_eq(arg, &walk);
    if (atomic_load((_Atomic uint8_t *)&s->meta->state) == HEAP_FREE)
        walk.bad_state++;
    if (walk.n < 2 * WALKED)
        walk.starts[walk.n] = s->start;
    walk.n++;
}

static void
set_state(struct heap_meta *meta, enum heap_state state)
{
    atomic_store_explicit((_Atomic uint8_t *)&meta->state, (uint8_t)state,
                          memory_order_release);
}

/*
 * Of 1200 blocks (small, medium and large), those whose record says
 * HEAP_LIVE or HEAP_FREED are visited, once each, and no other: the slots
 * handed out but still HEAP_FREE are not.
 */
START_TEST(test_heap_for_each_used)
{
    static void *blocks[WALKED];
    static struct heap_slot slots[WALKED];
    static uintptr_t expected[WALKED];
    size_t n_expected = 0;
    for (size_t i = 0; i < WALKED; i++) {
        size_t size = i % 100 == 7 ? HEAP_SMALL_MAX + i : i % 10 == 3
                                                              ? 9000 + i
                                                              : i % 300;
        blocks[i] = heap_malloc(NULL, size);
        slots[i] = slot_holding(blocks[i], size);
        if (i % 3 != 2) {
            set_state(slots[i].meta, i % 3 ? HEAP_FREED : HEAP_LIVE);
            expected[n_expected++] = slots[i].start;
        }
    }
    walk.n = walk.bad_state = 0;
    heap_for_each_used(note_used, &walk);
    ck_assert_uint_eq(walk.bad_state, 0);
    ck_assert_uint_eq(walk.n, n_expected);
    qsort(walk.starts, walk.n, sizeof walk.starts[0], compare_uintptr);
    qsort(expected, n_expected, sizeof expected[0], compare_uintptr);
    for (size_t i = 0; i < n_expected; i++)
        ck_assert_uint_eq(walk.starts[i], expected[i]);

    for (size_t i = 0; i < WALKED; i++)
        set_state(slots[i].meta, HEAP_FREE);
    walk.n = 0;
    heap_for_each_used(note_used, &walk);
    ck_assert_uint_eq(walk.n, 0);
    for (size_t i = 0; i < WALKED; i++)
        heap_free(NULL, blocks[i]);
}
END_TEST

/*
 * block_containing, as the registry answers it for heap blocks: every
 * byte of a recorded block's slot names the block (header, data,
 * trailer), and nothing else does: the bytes around the slot, the slot
 * once the record is removed, memory outside the heap.
 */
START_TEST(test_block_containing_every_byte)
{
    static const size_t sizes[] = {0, 1, 24, 100, 4000, HEAP_SMALL_MAX - 64,
                                   HEAP_SMALL_MAX + 1};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        unsigned char *base = heap_malloc(NULL, n + 32);
        ck_assert_ptr_nonnull(base);
        struct heap_slot slot;
        ck_assert(heap_slot_of((uintptr_t)base, &slot));
        struct block_record record = {(uintptr_t)base + 16, n, 7 + k, 9, 0,
                                      16, 'r', false, false};
        ck_assert(registry_add(&record));
        struct block_record found;
        /* Every byte of the slot; of a large one, the first and last
         * 64 KiB. */
        for (uintptr_t a = slot.start; a < slot.start + slot.size; a++) {
            if (a - slot.start == 65536 && slot.size > 131072)
                a = slot.start + slot.size - 65536;
            ck_assert_msg(block_containing(a, &found),
                          "byte %zu of the slot of a %zu-byte block",
                          (size_t)(a - slot.start), n);
            ck_assert_uint_eq(found.p, record.p);
            ck_assert_uint_eq(found.size, n);
            ck_assert_uint_eq(found.serial, record.serial);
        }
        ck_assert(!block_containing(slot.start - 1, &found) ||
                  found.p != record.p);
        ck_assert(!block_containing(slot.start + slot.size, &found) ||
                  found.p != record.p);
        ck_assert(registry_remove(record.p, NULL));
        ck_assert(!block_containing(record.p, &found));
        heap_free(NULL, base);
    }
    int on_stack;
    struct block_record found;
    ck_assert(!block_containing((uintptr_t)&on_stack, &found));
    ck_assert(!block_containing(0, &found));
}
END_TEST

static Suite *
heap_suite(void)
{
    Suite *s = suite_create("heap");
    TCase *classes = tcase_create("size classes");
    tcase_set_timeout(classes, 60);
    tcase_add_test(classes, test_heap_every_size_class);
    tcase_add_test(classes, test_heap_contracts);
    tcase_add_test(classes, test_heap_memalign_every_power_of_two);
    suite_add_tcase(s, classes);

    TCase *lookup = tcase_create("heap_slot_of");
    tcase_set_timeout(lookup, 60);
    tcase_add_test(lookup, test_heap_slot_of_every_byte);
    tcase_add_test(lookup, test_heap_slot_of_foreign);
    tcase_add_test(lookup, test_heap_regions_cover_slots);
    tcase_add_test(lookup, test_heap_for_each_used);
    tcase_add_test(lookup, test_block_containing_every_byte);
    suite_add_tcase(s, lookup);

    TCase *threads = tcase_create("threads and fork");
    tcase_set_timeout(threads, 120);
    tcase_add_test(threads, test_heap_cross_thread_frees);
    tcase_add_test(threads, test_heap_thread_exit_returns_cache);
    tcase_add_test(threads, test_heap_fork_during_frees);
    suite_add_tcase(s, threads);

    TCase *system = tcase_create("memory from the system");
    tcase_set_timeout(system, 60);
    tcase_add_test(system, test_heap_span_return);
    tcase_add_test(system, test_heap_large_guard_pages);
    tcase_add_test(system, test_heap_large_realloc);
    tcase_add_test(system, test_heap_4gib_is_cheap);
    tcase_add_test(system, test_heap_million_live_blocks);
    suite_add_tcase(s, system);
    return s;
}

int
main(void)
{
    return run_suite(heap_suite());
}
