/* SPDX-License-Identifier: MIT */
/*
 * traces.c -- capture and intern call stacks.
 *
 * Capture uses libunwind's unw_backtrace(), its fast path (a cursor loop
 * costs 20-40 times more: ../shared/reference/unwind-costs.md).  libunwind
 * and the dynamic loader may allocate while we capture; a per-thread
 * guard makes those nested allocations skip capture (never the block
 * layout), so they cannot recurse.
 *
 * Interning: a stack is hashed (frame order counts: a recursive function
 * called from two sites makes stacks that differ only in the order of
 * the same return addresses) and looked up, without a lock, in an
 * open-addressing table of (hash, id) slots.  A stack not found there is
 * added under a lock: into an append-only store of chunks, then into the
 * table, which doubles when half full.  A grown table replaces the old
 * one with a release store; a reader still probing the old one finds it
 * emptied (its pages are given back to the kernel), misses, and looks
 * again under the lock, so nothing is ever lost and no reader waits.
 * Ids are offsets into the store: they stay valid for the life of the
 * process.  Everything lives in memory from mmap; the lock is taken
 * around fork (traces_lock), and only for stacks never seen before.
 */
#include "config.h"

#include "traces.h"

#include "options.h"
#include "spinlock.h"

#include <errno.h>
#include <libunwind.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

/* Set by the linker around the HOOK_PATH functions. */
extern const char __start_deadbyte_hook_path[], __stop_deadbyte_hook_path[];

/* Initial-exec TLS: the preload library is loaded at start, and the
 * general-dynamic model may itself allocate on first access. */
static __thread bool capturing __attribute__((tls_model("initial-exec")));

/*
 * Frames of our own to unwind past on top of the ones kept: the deepest
 * hook path is 6 (operator new, new_block, hooks_memalign, alloc_block,
 * lay_out, traces_capture).  Every frame unwound costs as much as one
 * kept, so the slack is small; were a path deeper, its traces would lose
 * frames at the far end, nothing more.
 */
#define HOOK_PATH_DEPTH 8

/*
 * The store: chunks of 16 MiB, mapped when first needed (reserved
 * without swap: the kernel supplies pages as they are written), and
 * addressed in 8-byte units by 32-bit ids -- 2048 chunks make 2^32 ids.
 */
#define CHUNK_BITS 24
#define CHUNK_SIZE ((uint64_t)1 << CHUNK_BITS)
#define MAX_CHUNKS 2048

struct stored {
    uint32_t hash;
    uint32_t nframes;
    uintptr_t frames[];
};

static _Atomic(unsigned char *) chunks[MAX_CHUNKS];
/* Bytes of the store given out; below TRACES_FIRST_ID are no stacks. */
static _Atomic uint64_t store_used = 8 * TRACES_FIRST_ID;

/*
 * The tables, one per size ever used (4096 slots, then doubling: 2^32
 * slots is the 21st), each kept mapped once replaced, for the readers
 * that may still probe it.  A slot is hash << 32 | id, 0 when empty.
 */
#define INITIAL_SLOTS 4096
#define MAX_TABLES 24

struct table {
    _Atomic uint64_t *slots;
    size_t mask; /* slots - 1 */
    size_t used;
};

static struct table tables[MAX_TABLES];
static _Atomic(struct table *) current;
static atomic_size_t tables_made;
/* Held to add a stack, never to look one up. */
static struct spinlock adding;

/*
 * A hash in which each frame counts with its position: every (address,
 * position) pair is mixed on its own, so that the CPU overlaps the
 * multiplications (a chained hash waited for each one: a tenth of the
 * capture time), and the mixed values are summed.  The sum of the raw
 * addresses, position or not, let the stacks of a recursive function
 * fall into a few dozen values.
 */
static uint64_t
mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdu;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53u;
    x ^= x >> 33;
    return x;
}

static uint32_t
hash_frames(const uintptr_t *frames, size_t n)
{
    uint64_t h = mix64(n);
    for (size_t i = 0; i < n; i++)
        h += mix64((uint64_t)frames[i] + (i + 1) * 0x9e3779b97f4a7c15u);
    return (uint32_t)(h ^ (h >> 32));
}

/* The stack of ID, or NULL if ID names nothing stored. */
static const struct stored *
stored_at(uint32_t id)
{
    uint64_t at = (uint64_t)id * 8;
    if (id < TRACES_FIRST_ID ||
        at >= atomic_load_explicit(&store_used, memory_order_acquire))
        return NULL;
    unsigned char *chunk = atomic_load_explicit(&chunks[at >> CHUNK_BITS],
                                                memory_order_acquire);
    return chunk ? (const struct stored *)(chunk + (at & (CHUNK_SIZE - 1)))
                 : NULL;
}

static bool
same(uint32_t id, uint32_t hash, const uintptr_t *frames, size_t n)
{
    const struct stored *s = stored_at(id);
    return s && s->hash == hash && s->nframes == n &&
           memcmp(s->frames, frames, n * sizeof *frames) == 0;
}

/* The id of the stack in table T, or 0.  The table is at most three
 * quarters full, so the probe ends at an empty slot. */
static uint32_t
find_in(const struct table *t, uint32_t hash, const uintptr_t *frames,
        size_t n)
{
    for (size_t at = hash & t->mask;; at = (at + 1) & t->mask) {
        uint64_t slot = atomic_load_explicit(&t->slots[at],
                                             memory_order_acquire);
        if (slot == 0)
            return 0;
        if ((uint32_t)(slot >> 32) == hash &&
            same((uint32_t)slot, hash, frames, n))
            return (uint32_t)slot;
    }
}

/* Put SLOT in the first empty slot of T from its hash on. */
static void
place(struct table *t, uint64_t slot)
{
    size_t at = (uint32_t)(slot >> 32) & t->mask;
    while (atomic_load_explicit(&t->slots[at], memory_order_relaxed))
        at = (at + 1) & t->mask;
    atomic_store_explicit(&t->slots[at], slot, memory_order_release);
}

/*
 * Replace the current table, OLD (NULL at first), by one twice as large
 * holding the same slots.  False if mmap failed.  Under the lock.
 */
static bool
grow(struct table *old)
{
    size_t made = atomic_load_explicit(&tables_made, memory_order_relaxed);
    size_t slots = old ? 2 * (old->mask + 1) : INITIAL_SLOTS;
    if (made == MAX_TABLES || slots > SIZE_MAX / sizeof(uint64_t))
        return false;
    /* Populated at once: the rehash writes all over it. */
    void *memory = mmap(NULL, slots * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (memory == MAP_FAILED)
        return false;
    struct table *t = &tables[made];
    t->slots = memory;
    t->mask = slots - 1;
    t->used = old ? old->used : 0;
    if (old)
        for (size_t i = 0; i <= old->mask; i++) {
            uint64_t slot = atomic_load_explicit(&old->slots[i],
                                                 memory_order_relaxed);
            if (slot)
                place(t, slot);
        }
    atomic_store_explicit(&tables_made, made + 1, memory_order_release);
    atomic_store_explicit(&current, t, memory_order_release);
    /* Readers of the old table now read zeros there: an empty slot, a
     * miss, and a second look under the lock. */
    if (old)
        madvise((void *)old->slots, (old->mask + 1) * sizeof(uint64_t),
                MADV_DONTNEED);
    return true;
}

/* Copy a stack into the store: its id, or why it could not be kept.
 * Under the lock. */
static uint32_t
append(uint32_t hash, const uintptr_t *frames, size_t n)
{
    uint64_t size = sizeof(struct stored) + n * sizeof *frames;
    size = (size + 7) & ~(uint64_t)7;
    uint64_t at = atomic_load_explicit(&store_used, memory_order_relaxed);
    /* A stack never straddles two chunks. */
    if ((at & (CHUNK_SIZE - 1)) + size > CHUNK_SIZE)
        at = (at | (CHUNK_SIZE - 1)) + 1;
    size_t chunk = (size_t)(at >> CHUNK_BITS);
    if (chunk >= MAX_CHUNKS)
        return TRACES_FULL;
    unsigned char *memory = atomic_load_explicit(&chunks[chunk],
                                                 memory_order_relaxed);
    if (!memory) {
        void *fresh = mmap(NULL, CHUNK_SIZE, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (fresh == MAP_FAILED)
            return TRACES_NO_MEMORY;
        memory = fresh;
        atomic_store_explicit(&chunks[chunk], memory, memory_order_release);
    }
    struct stored *s = (struct stored *)(memory + (at & (CHUNK_SIZE - 1)));
    s->hash = hash;
    s->nframes = (uint32_t)n;
    memcpy(s->frames, frames, n * sizeof *frames);
    atomic_store_explicit(&store_used, at + size, memory_order_release);
    return (uint32_t)(at / 8);
}

/* The stack not found without the lock: look again, then add it. */
static uint32_t
add(uint32_t hash, const uintptr_t *frames, size_t n)
{
    spinlock_lock(&adding);
    struct table *t = atomic_load_explicit(&current, memory_order_relaxed);
    uint32_t id = t ? find_in(t, hash, frames, n) : 0;
    if (id) {
        spinlock_unlock(&adding);
        return id;
    }
    /* Double at half full; if that fails, go on up to three quarters. */
    if (!t || (t->used + 1) * 2 > t->mask + 1) {
        if (grow(t))
            t = atomic_load_explicit(&current, memory_order_relaxed);
        else if (!t || (t->used + 1) * 4 > (t->mask + 1) * 3) {
            spinlock_unlock(&adding);
            return TRACES_NO_MEMORY;
        }
    }
    id = append(hash, frames, n);
    if (id >= TRACES_FIRST_ID) {
        place(t, (uint64_t)hash << 32 | id);
        t->used++;
    }
    spinlock_unlock(&adding);
    return id;
}

static uint32_t
intern(const uintptr_t *frames, size_t n)
{
    uint32_t hash = hash_frames(frames, n);
    const struct table *t = atomic_load_explicit(&current,
                                                 memory_order_acquire);
    uint32_t id = t ? find_in(t, hash, frames, n) : 0;
    return id ? id : add(hash, frames, n);
}

static bool
on_hook_path(uintptr_t pc)
{
    return pc >= (uintptr_t)__start_deadbyte_hook_path &&
           pc < (uintptr_t)__stop_deadbyte_hook_path;
}

HOOK_PATH uint32_t
traces_capture(void)
{
    size_t want = options.frames;
    if (want == 0)
        return TRACES_NONE;
    if (capturing)
        return TRACES_BUSY;
    capturing = true;
    /* libunwind may leave errno changed (EAGAIN from its address checks);
     * the program must see the errno the C library would leave. */
    int saved_errno = errno;
    void *raw[TRACES_MAX_FRAMES + HOOK_PATH_DEPTH];
    size_t limit = want < TRACES_MAX_FRAMES ? want : TRACES_MAX_FRAMES;
    int got = unw_backtrace(raw, (int)(limit + HOOK_PATH_DEPTH));
    size_t skip = 0;
    while (skip < (size_t)(got > 0 ? got : 0) &&
           on_hook_path((uintptr_t)raw[skip]))
        skip++;
    size_t n = (size_t)got > skip ? (size_t)got - skip : 0;
    if (n > limit)
        n = limit;
    uint32_t id = n ? intern((const uintptr_t *)(raw + skip), n)
                    : TRACES_NO_FRAMES;
    errno = saved_errno;
    capturing = false;
    return id;
}

size_t
traces_get(uint32_t id, uintptr_t *frames, size_t max)
{
    const struct stored *s = stored_at(id);
    if (!s)
        return 0;
    size_t n = s->nframes < max ? s->nframes : max;
    memcpy(frames, s->frames, n * sizeof *frames);
    return n;
}

void
traces_for_each_region(void (*fn)(uintptr_t, uintptr_t, void *), void *arg)
{
    size_t made = atomic_load_explicit(&tables_made, memory_order_acquire);
    for (size_t i = 0; i < made; i++)
        fn((uintptr_t)tables[i].slots,
           (uintptr_t)(tables[i].slots + tables[i].mask + 1), arg);
    for (size_t i = 0; i < MAX_CHUNKS; i++) {
        unsigned char *chunk = atomic_load_explicit(&chunks[i],
                                                    memory_order_acquire);
        if (chunk)
            fn((uintptr_t)chunk, (uintptr_t)chunk + CHUNK_SIZE, arg);
    }
}

void
traces_lock(void)
{
    spinlock_lock(&adding);
}

void
traces_unlock(void)
{
    spinlock_unlock(&adding);
}
