/* SPDX-License-Identifier: MIT */
/*
 * check_smallobj.c -- the small-object allocator: every request size
 * lands in its class; pools are reused after a free and go back to their
 * arena when empty; empty arenas go back to the arena allocator (watched
 * through a counting one), also unaligned ones; the fullest arena serves
 * first; ownership of its own, the C library's and other pointers;
 * CPython's realloc rules; and the debug block laid out exactly on top of
 * it through the mem domain.
 *
 * The tests that count pools and arenas assume a fresh allocator, which
 * Check's default fork mode gives each test.
 */
#include "config.h"

#include "block.h"
#include "options.h"
#include "smallobj.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define S SST
#define POOL SMALLOBJ_POOL_SIZE
#define ARENA SMALLOBJ_ARENA_SIZE
/* 512-byte blocks per pool, and per aligned arena (64 pools). */
#define BIG_PER_POOL 31
#define BIG_PER_ARENA (64 * BIG_PER_POOL)

static unsigned
class_of(size_t n)
{
    return (unsigned)((n - 1) / SMALLOBJ_ALIGNMENT);
}

static uintptr_t
pool_base(const void *p)
{
    return (uintptr_t)p & ~(uintptr_t)(POOL - 1);
}

static struct smallobj_stats
stats(void)
{
    struct smallobj_stats s;
    smallobj_get_stats(&s);
    return s;
}

static void
assert_fresh(void)
{
    ck_assert_msg(stats().arenas == 0,
                  "this test needs a fresh allocator: run with CK_FORK=yes");
}

/* ---- A counting arena allocator ------------------------------------ */

/*
 * Arenas at OFFSET bytes past a 1 MiB boundary (0: aligned; else both
 * pool-unaligned and straddling two chunks of the arena map), each from
 * a mapping of its own, with the calls counted.
 */
static struct {
    size_t offset;
    int allocs, frees, bad_frees;
    struct {
        void *arena, *mapping;
    } live[64];
} counting;

#define MAPPING_SIZE (3 * ARENA)

static void *
counting_alloc(void *ctx, size_t size)
{
    (void)ctx;
    ck_assert_uint_eq(size, ARENA);
    unsigned char *m = mmap(NULL, MAPPING_SIZE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(m, MAP_FAILED);
    uintptr_t aligned = ((uintptr_t)m + ARENA - 1) & ~(uintptr_t)(ARENA - 1);
    void *arena = (void *)(aligned + counting.offset);
    for (size_t i = 0; i < 64; i++)
        if (!counting.live[i].arena) {
            counting.live[i].arena = arena;
            counting.live[i].mapping = m;
            counting.allocs++;
            return arena;
        }
    ck_abort_msg("more than 64 arenas");
    return NULL;
}

static void
counting_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    for (size_t i = 0; i < 64; i++)
        if (counting.live[i].arena == ptr && size == ARENA) {
            munmap(counting.live[i].mapping, MAPPING_SIZE);
            counting.live[i].arena = NULL;
            counting.frees++;
            return;
        }
    counting.bad_frees++;
}

static void
use_counting(size_t offset)
{
    memset(&counting, 0, sizeof counting);
    counting.offset = offset;
    deadbyte_arena_allocator_t a = {NULL, counting_alloc, counting_free};
    deadbyte_set_arena_allocator(&a);
}

static void *
failing_alloc(void *ctx, size_t size)
{
    (void)size;
    ++*(int *)ctx;
    errno = ENOMEM;
    return NULL;
}

static void
failing_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)ptr;
    (void)size;
    ck_abort_msg("an arena that was never allocated was freed");
}

/* ---- Size classes --------------------------------------------------- */

/* Every size 1..512 takes one block of its class, (n+15)/16*16 bytes,
 * 16-aligned, in a slot of a pool of that class. */
START_TEST(test_smallobj_every_size_in_its_class)
{
    for (size_t n = 1; n <= SMALLOBJ_THRESHOLD; n++) {
        unsigned c = class_of(n);
        size_t size = smallobj_class_size(c);
        ck_assert_uint_eq(size, (n + 15) / 16 * 16);
        size_t before = stats().blocks[c];
        unsigned char *p = smallobj_malloc(NULL, n);
        ck_assert_ptr_nonnull(p);
        ck_assert(smallobj_owns(p));
        ck_assert_uint_eq((uintptr_t)p % 16, 0);
        ck_assert_uint_eq(stats().blocks[c], before + 1);
        uintptr_t off = (uintptr_t)p - pool_base(p);
        ck_assert_uint_ge(off, SMALLOBJ_POOL_OVERHEAD);
        ck_assert_uint_eq((off - SMALLOBJ_POOL_OVERHEAD) % size, 0);
        ck_assert_uint_le(off + size, POOL);
        memset(p, 0xAB, size); /* all of it is ours to write */
        smallobj_free(NULL, p);
        ck_assert_uint_eq(stats().blocks[c], before);
    }
}
END_TEST

START_TEST(test_smallobj_zero_and_large_go_to_libc)
{
    void *zero = smallobj_malloc(NULL, 0);
    void *zero2 = smallobj_malloc(NULL, 0);
    ck_assert_ptr_nonnull(zero);
    ck_assert_ptr_ne(zero, zero2);
    ck_assert(!smallobj_owns(zero));
    void *large = smallobj_malloc(NULL, SMALLOBJ_THRESHOLD + 1);
    ck_assert(!smallobj_owns(large));
    void *largest_small = smallobj_malloc(NULL, SMALLOBJ_THRESHOLD);
    ck_assert(smallobj_owns(largest_small));
    smallobj_free(NULL, zero);
    smallobj_free(NULL, zero2);
    smallobj_free(NULL, large);
    smallobj_free(NULL, largest_small);
    smallobj_free(NULL, NULL);
}
END_TEST

START_TEST(test_smallobj_calloc)
{
    unsigned char *p = smallobj_malloc(NULL, 64);
    memset(p, 0x77, 64);
    smallobj_free(NULL, p);
    /* The same block comes back (free lists are LIFO), zeroed. */
    unsigned char *z = smallobj_calloc(NULL, 16, 4);
    ck_assert_ptr_eq(z, p);
    for (size_t i = 0; i < 64; i++)
        ck_assert_uint_eq(z[i], 0);
    void *large = smallobj_calloc(NULL, 513, 1);
    ck_assert(!smallobj_owns(large));
    void *empty = smallobj_calloc(NULL, 0, 8);
    ck_assert_ptr_nonnull(empty);
    errno = 0;
    ck_assert_ptr_null(smallobj_calloc(NULL, SIZE_MAX / 2, 3));
    ck_assert_int_eq(errno, ENOMEM);
    smallobj_free(NULL, z);
    smallobj_free(NULL, large);
    smallobj_free(NULL, empty);
}
END_TEST

/* ---- Pools ----------------------------------------------------------- */

START_TEST(test_smallobj_freed_block_reused)
{
    void *p = smallobj_malloc(NULL, 100);
    void *keep = smallobj_malloc(NULL, 100); /* the pool stays in use */
    smallobj_free(NULL, p);
    ck_assert_ptr_eq(smallobj_malloc(NULL, 97), p); /* same class: 112 */
    smallobj_free(NULL, p);
    smallobj_free(NULL, keep);
}
END_TEST

/* A full pool is in no list; one free puts it back in use, and the freed
 * block is the next one handed out. */
START_TEST(test_smallobj_full_pool_back_in_use)
{
    assert_fresh();
    void *blocks[BIG_PER_POOL + 1];
    for (int i = 0; i < BIG_PER_POOL; i++)
        blocks[i] = smallobj_malloc(NULL, 512);
    ck_assert_uint_eq(pool_base(blocks[0]),
                      pool_base(blocks[BIG_PER_POOL - 1]));
    ck_assert_uint_eq(stats().free_blocks[31], 0);
    /* The pool is full: the next block opens a second pool. */
    blocks[BIG_PER_POOL] = smallobj_malloc(NULL, 512);
    ck_assert_uint_ne(pool_base(blocks[BIG_PER_POOL]), pool_base(blocks[0]));
    ck_assert_uint_eq(stats().pools[31], 2);
    smallobj_free(NULL, blocks[7]);
    ck_assert_ptr_eq(smallobj_malloc(NULL, 500), blocks[7]);
    for (int i = 0; i <= BIG_PER_POOL; i++)
        smallobj_free(NULL, blocks[i]);
}
END_TEST

/* An empty pool goes back to its arena, where any class can take it. */
START_TEST(test_smallobj_empty_pool_back_to_arena)
{
    assert_fresh();
    void *blocks[BIG_PER_POOL];
    for (int i = 0; i < BIG_PER_POOL; i++)
        blocks[i] = smallobj_malloc(NULL, 512);
    uintptr_t pool = pool_base(blocks[0]);
    struct smallobj_stats before = stats();
    ck_assert_uint_eq(before.pools[31], 1);
    for (int i = 0; i < BIG_PER_POOL; i++)
        smallobj_free(NULL, blocks[i]);
    struct smallobj_stats after = stats();
    ck_assert_uint_eq(after.pools[31], 0);
    ck_assert_uint_eq(after.unused_pools, before.unused_pools + 1);
    ck_assert_uint_eq(after.arenas, 1); /* the last arena is kept */
    /* The freed pool is the first free pool: a new class takes it. */
    void *small = smallobj_malloc(NULL, 8);
    ck_assert_uint_eq(pool_base(small), pool);
    ck_assert_uint_eq((uintptr_t)small - pool, SMALLOBJ_POOL_OVERHEAD);
    smallobj_free(NULL, small);
}
END_TEST

/* ---- Arenas ---------------------------------------------------------- */

static void *many[20 * BIG_PER_ARENA];

/* Allocate 512-byte blocks until the counting allocator made N arenas;
 * returns how many blocks. */
static size_t
fill_arenas(int n)
{
    size_t count = 0;
    while (counting.allocs < n || count % BIG_PER_ARENA != 0) {
        ck_assert_uint_lt(count, sizeof many / sizeof many[0]);
        many[count] = smallobj_malloc(NULL, 512);
        ck_assert(smallobj_owns(many[count]));
        count++;
    }
    return count;
}

/* 20 arenas (past the first 16 arena slots), then everything freed: all
 * but the last arena go back to the arena allocator. */
START_TEST(test_smallobj_empty_arenas_returned)
{
    assert_fresh();
    use_counting(0);
    size_t count = fill_arenas(20);
    ck_assert_int_eq(counting.allocs, 20);
    ck_assert_uint_eq(stats().arenas, 20);
    ck_assert_uint_eq(stats().arenas_highwater, 20);
    for (size_t i = 0; i < count; i++)
        smallobj_free(NULL, many[i]);
    ck_assert_int_eq(counting.frees, 19);
    ck_assert_int_eq(counting.bad_frees, 0);
    struct smallobj_stats s = stats();
    ck_assert_uint_eq(s.arenas, 1);
    ck_assert_uint_eq(s.arenas_total, 20);
    ck_assert_uint_eq(s.unused_pools, 64);
    /* The kept arena serves again, without a new one. */
    void *p = smallobj_malloc(NULL, 512);
    ck_assert_int_eq(counting.allocs, 20);
    smallobj_free(NULL, p);
    deadbyte_set_arena_allocator(NULL);
}
END_TEST

/* Arenas 4 KiB past a 1 MiB boundary: one pool lost to alignment, the
 * arena map covering two chunks, and still all returned. */
START_TEST(test_smallobj_unaligned_arenas)
{
    assert_fresh();
    use_counting(4096);
    void *blocks[63 * BIG_PER_POOL];
    for (size_t i = 0; i < 63 * BIG_PER_POOL; i++) {
        blocks[i] = smallobj_malloc(NULL, 512);
        ck_assert(smallobj_owns(blocks[i]));
    }
    ck_assert_int_eq(counting.allocs, 1); /* 63 pools fill one arena */
    struct smallobj_stats s = stats();
    ck_assert_uint_eq(s.alignment_loss, POOL);
    ck_assert_uint_eq(s.unused_pools, 0);
    ck_assert_uint_eq(s.pools[31], 63);
    const unsigned char *arena = counting.live[0].arena;
    ck_assert(smallobj_owns(arena));
    ck_assert(smallobj_owns(arena + ARENA - 1));
    ck_assert(!smallobj_owns(arena - 1));
    ck_assert(!smallobj_owns(arena + ARENA));
    void *more = smallobj_malloc(NULL, 512); /* a second arena */
    ck_assert_int_eq(counting.allocs, 2);
    smallobj_free(NULL, more);
    for (size_t i = 0; i < 63 * BIG_PER_POOL; i++)
        smallobj_free(NULL, blocks[i]);
    ck_assert_int_eq(counting.frees, 1);
    ck_assert_int_eq(counting.bad_frees, 0);
    ck_assert(!smallobj_owns(arena)); /* the first one went back */
    deadbyte_set_arena_allocator(NULL);
}
END_TEST

/* New pools come from the arena with the fewest free pools, so that the
 * emptier ones can drain. */
START_TEST(test_smallobj_fullest_arena_serves_first)
{
    assert_fresh();
    use_counting(0);
    size_t count = fill_arenas(3);
    ck_assert_uint_eq(count, 3 * BIG_PER_ARENA);
    /* Arena 0: all pools free but one; arena 1: two pools free. */
    for (size_t i = BIG_PER_POOL; i < BIG_PER_ARENA; i++)
        smallobj_free(NULL, many[i]);
    for (size_t i = BIG_PER_ARENA; i < BIG_PER_ARENA + 2 * BIG_PER_POOL; i++)
        smallobj_free(NULL, many[i]);
    void *p = smallobj_malloc(NULL, 16); /* a class with no pool yet */
    uintptr_t arena1 = (uintptr_t)counting.live[1].arena;
    ck_assert_uint_ge((uintptr_t)p, arena1);
    ck_assert_uint_lt((uintptr_t)p, arena1 + ARENA);
    smallobj_free(NULL, p);
    deadbyte_set_arena_allocator(NULL);
}
END_TEST

/* No arena to be had: the request goes to the C library, and errno is
 * not disturbed by the failed attempt. */
START_TEST(test_smallobj_arena_failure_falls_back)
{
    int calls = 0;
    deadbyte_arena_allocator_t failing = {&calls, failing_alloc, failing_free};
    deadbyte_set_arena_allocator(&failing);
    void *p = NULL;
    static void *owned[64 * BIG_PER_ARENA];
    size_t n = 0;
    /* Use up whatever arenas exist first. */
    for (; n < sizeof owned / sizeof owned[0]; n++) {
        errno = 4242;
        p = smallobj_malloc(NULL, 512);
        if (!smallobj_owns(p))
            break;
        owned[n] = p;
    }
    ck_assert_ptr_nonnull(p);
    ck_assert(!smallobj_owns(p));
    ck_assert_int_ge(calls, 1);
    ck_assert_int_eq(errno, 4242);
    smallobj_free(NULL, p);
    for (size_t i = 0; i < n; i++)
        smallobj_free(NULL, owned[i]);
    deadbyte_set_arena_allocator(NULL);
}
END_TEST

START_TEST(test_smallobj_arena_allocator_get_set)
{
    deadbyte_arena_allocator_t a, b;
    deadbyte_get_arena_allocator(&a);
    ck_assert_ptr_nonnull((void *)a.alloc);
    ck_assert_ptr_nonnull((void *)a.free);
    void *arena = a.alloc(a.ctx, ARENA);
    ck_assert_ptr_nonnull(arena);
    memset(arena, 1, ARENA);
    a.free(a.ctx, arena, ARENA);
    use_counting(0);
    deadbyte_get_arena_allocator(&b);
    ck_assert_ptr_eq((void *)b.alloc, (void *)counting_alloc);
    deadbyte_arena_allocator_t incomplete = {NULL, counting_alloc, NULL};
    deadbyte_set_arena_allocator(&incomplete); /* the default again */
    deadbyte_get_arena_allocator(&b);
    ck_assert_ptr_eq((void *)b.alloc, (void *)a.alloc);
    use_counting(0);
    deadbyte_set_arena_allocator(NULL);
    deadbyte_get_arena_allocator(&b);
    ck_assert_ptr_eq((void *)b.alloc, (void *)a.alloc);
    deadbyte_get_arena_allocator(NULL); /* ignored */
}
END_TEST

/* ---- Ownership ------------------------------------------------------- */

static int static_data[4];

START_TEST(test_smallobj_owns_only_its_own)
{
    unsigned char *own = smallobj_malloc(NULL, 48);
    void *foreign = malloc(48);
    char local[16];
    ck_assert(smallobj_owns(own));
    ck_assert(smallobj_owns(own + 47));
    ck_assert(!smallobj_owns(foreign));
    ck_assert(!smallobj_owns(launder(local)));
    ck_assert(!smallobj_owns(static_data));
    ck_assert(!smallobj_owns(NULL));
    ck_assert(!smallobj_owns((void *)((uintptr_t)1 << 60)));
    ck_assert(!smallobj_owns((void *)UINTPTR_MAX));
    /* A foreign pointer is the C library's to free. */
    smallobj_free(NULL, foreign);
    smallobj_free(NULL, own);
}
END_TEST

/* ---- realloc --------------------------------------------------------- */

static unsigned char *
patterned(size_t n)
{
    unsigned char *p = smallobj_malloc(NULL, n);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 7 + 3);
    return p;
}

static void
assert_pattern(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(p[i], (unsigned char)(i * 7 + 3));
}

START_TEST(test_smallobj_realloc_within_class_stays)
{
    unsigned char *p = patterned(20);
    ck_assert_ptr_eq(smallobj_realloc(NULL, p, 32), p);
    ck_assert_ptr_eq(smallobj_realloc(NULL, p, 25), p); /* 4*25 > 3*32 */
    assert_pattern(p, 20);
    smallobj_free(NULL, p);
}
END_TEST

/* CPython: a shrink moves only when it shaves 25% or more off the block. */
START_TEST(test_smallobj_realloc_shrink_rule)
{
    unsigned char *p = patterned(512);
    ck_assert_ptr_eq(smallobj_realloc(NULL, p, 385), p); /* 1540 > 1536 */
    unsigned char *q = smallobj_realloc(NULL, p, 384);   /* 1536: moves */
    ck_assert_ptr_ne(q, p);
    ck_assert(smallobj_owns(q));
    assert_pattern(q, 384);
    smallobj_free(NULL, q);
}
END_TEST

START_TEST(test_smallobj_realloc_grow_moves)
{
    unsigned char *p = patterned(40);
    unsigned char *q = smallobj_realloc(NULL, p, 100);
    ck_assert_ptr_ne(q, p);
    ck_assert(smallobj_owns(q));
    assert_pattern(q, 40);
    unsigned char *large = smallobj_realloc(NULL, q, 5000);
    ck_assert(!smallobj_owns(large));
    assert_pattern(large, 40);
    /* A C library block stays one, even when it shrinks to a small size
     * (its readable length is unknown: CPython's bug 1185883). */
    unsigned char *shrunk = smallobj_realloc(NULL, large, 30);
    ck_assert(!smallobj_owns(shrunk));
    assert_pattern(shrunk, 30);
    smallobj_free(NULL, shrunk);
}
END_TEST

START_TEST(test_smallobj_realloc_null_and_zero)
{
    unsigned char *p = smallobj_realloc(NULL, NULL, 50);
    ck_assert(smallobj_owns(p));
    unsigned char *z = smallobj_realloc(NULL, p, 0);
    ck_assert_ptr_nonnull(z);
    ck_assert(!smallobj_owns(z)); /* size 0: a unique C library block */
    smallobj_free(NULL, z);
}
END_TEST

/* ---- Under the debug hooks ------------------------------------------ */

static void
hooks_setup(void)
{
    ck_assert_int_eq(options_set("serialno", "1", NULL), 0);
    ck_assert_int_eq(options_set("quarantine", "0", NULL), 0);
}

/* The mem domain is the hooks over this allocator: the base request is
 * N + 4S, so the block is from the class of N + 32 up to N = 480, and the
 * bytes are DESIGN.md's, exactly. */
START_TEST(test_smallobj_debug_block_layout)
{
    for (size_t n = 0; n <= 481; n++) {
        unsigned char *p = launder(deadbyte_mem_malloc(n));
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % 16, 0);
        ck_assert(smallobj_owns(p) == (n + 4 * S <= SMALLOBJ_THRESHOLD));
        ck_assert_uint_eq(block_get_be(p - 2 * S), n);
        ck_assert_uint_eq(p[-(ptrdiff_t)S], 'm');
        for (size_t i = 1; i < S; i++)
            ck_assert_uint_eq(p[-(ptrdiff_t)i], 0xFD);
        for (size_t i = 0; i < n; i++)
            ck_assert_uint_eq(p[i], 0xCD);
        for (size_t i = 0; i < S; i++)
            ck_assert_uint_eq(p[n + i], 0xFD);
        ck_assert_uint_eq(block_get_be(p + n + S), deadbyte_get_serialno());
        deadbyte_mem_free(p);
        if (n + 4 * S <= SMALLOBJ_THRESHOLD) {
            /* The hooks filled it with DEADBYTE; the allocator then took
             * the first word of the base for its free list. */
            for (size_t i = S; i < n + 4 * S; i++)
                ck_assert_uint_eq(p[i - 2 * S], 0xDD);
        }
    }
}
END_TEST

START_TEST(test_smallobj_debug_realloc_and_calloc)
{
    unsigned char *p = launder(deadbyte_obj_malloc(16));
    memcpy(p, "sixteen chars!!!", 16);
    p = launder(deadbyte_obj_realloc(p, 100));
    ck_assert(smallobj_owns(p));
    ck_assert_int_eq(memcmp(p, "sixteen chars!!!", 16), 0);
    for (size_t i = 16; i < 100; i++)
        ck_assert_uint_eq(p[i], 0xCD);
    ck_assert_uint_eq(block_get_be(p - 2 * S), 100);
    ck_assert_uint_eq(p[100], 0xFD);
    p = launder(deadbyte_obj_realloc(p, 1000)); /* to the C library */
    ck_assert(!smallobj_owns(p));
    ck_assert_int_eq(memcmp(p, "sixteen chars!!!", 16), 0);
    deadbyte_obj_free(p);
    unsigned char *z = launder(deadbyte_obj_calloc(10, 10));
    ck_assert(smallobj_owns(z));
    for (size_t i = 0; i < 100; i++)
        ck_assert_uint_eq(z[i], 0);
    ck_assert_uint_eq(z[100], 0xFD);
    deadbyte_obj_free(z);
}
END_TEST

static Suite *
smallobj_suite(void)
{
    Suite *s = suite_create("smallobj");
    TCase *classes = tcase_create("size classes");
    tcase_add_test(classes, test_smallobj_every_size_in_its_class);
    tcase_add_test(classes, test_smallobj_zero_and_large_go_to_libc);
    tcase_add_test(classes, test_smallobj_calloc);
    suite_add_tcase(s, classes);

    TCase *pools = tcase_create("pools");
    tcase_add_test(pools, test_smallobj_freed_block_reused);
    tcase_add_test(pools, test_smallobj_full_pool_back_in_use);
    tcase_add_test(pools, test_smallobj_empty_pool_back_to_arena);
    suite_add_tcase(s, pools);

    TCase *arenas = tcase_create("arenas");
    tcase_set_timeout(arenas, 30);
    tcase_add_test(arenas, test_smallobj_empty_arenas_returned);
    tcase_add_test(arenas, test_smallobj_unaligned_arenas);
    tcase_add_test(arenas, test_smallobj_fullest_arena_serves_first);
    tcase_add_test(arenas, test_smallobj_arena_failure_falls_back);
    tcase_add_test(arenas, test_smallobj_arena_allocator_get_set);
    suite_add_tcase(s, arenas);

    TCase *owns = tcase_create("ownership");
    tcase_add_test(owns, test_smallobj_owns_only_its_own);
    suite_add_tcase(s, owns);

    TCase *realloc_tc = tcase_create("realloc");
    tcase_add_test(realloc_tc, test_smallobj_realloc_within_class_stays);
    tcase_add_test(realloc_tc, test_smallobj_realloc_shrink_rule);
    tcase_add_test(realloc_tc, test_smallobj_realloc_grow_moves);
    tcase_add_test(realloc_tc, test_smallobj_realloc_null_and_zero);
    suite_add_tcase(s, realloc_tc);

    TCase *hooks = tcase_create("under the debug hooks");
    tcase_add_checked_fixture(hooks, hooks_setup, NULL);
    tcase_add_test(hooks, test_smallobj_debug_block_layout);
    tcase_add_test(hooks, test_smallobj_debug_realloc_and_calloc);
    suite_add_tcase(s, hooks);
    return s;
}

int
main(void)
{
    return run_suite(smallobj_suite());
}
