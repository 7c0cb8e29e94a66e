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
 * Interning: a trace is hashed and looked up in an open-addressing table
 * whose slots are written once with compare-and-swap; the frames live in
 * an append-only store that grows by an atomic bump pointer.  No lock, no
 * malloc (both regions are reserved with mmap, and the kernel supplies
 * pages as they are touched), and nothing a fork can leave half-held.
 * Two threads interning the same new stack at once may store it twice;
 * both copies are valid.
 */
#include "config.h"

#include "traces.h"

#include "options.h"

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

/* The table: 2^20 slots of (hash, id) -- 8 MiB reserved. */
#define SLOT_BITS 20
#define SLOTS (1u << SLOT_BITS)
/* The store: 1 GiB reserved, addressed in 8-byte units by ids. */
#define STORE_SIZE ((size_t)1 << 30)

struct stored {
    uint32_t hash;
    uint32_t nframes;
    uintptr_t frames[];
};

static _Atomic uint64_t *slots;        /* hash << 32 | id; 0 = empty */
static unsigned char *store;           /* append-only */
static atomic_size_t store_used = 8;   /* offset 0 is "no trace" */
static atomic_int ready;               /* 0 no, 1 setting up, 2 yes, 3 failed */

static bool
set_up(void)
{
    int state = atomic_load_explicit(&ready, memory_order_acquire);
    if (state == 2)
        return true;
    if (state == 3)
        return false;
    int expected = 0;
    if (!atomic_compare_exchange_strong(&ready, &expected, 1)) {
        while ((state = atomic_load(&ready)) == 1)
            ;
        return state == 2;
    }
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    void *table = mmap(NULL, SLOTS * sizeof *slots, PROT_READ | PROT_WRITE,
                       flags, -1, 0);
    void *data = mmap(NULL, STORE_SIZE, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (table == MAP_FAILED || data == MAP_FAILED) {
        atomic_store(&ready, 3);
        return false;
    }
    slots = table;
    store = data;
    atomic_store_explicit(&ready, 2, memory_order_release);
    return true;
}

/* The frames are multiplied independently and summed, so that the CPU
 * overlaps the multiplications (a chained FNV-style hash waited for each
 * one: a tenth of the capture time), then the sum is mixed. */
static uint32_t
hash_frames(const uintptr_t *frames, size_t n)
{
    uint64_t h = n;
    for (size_t i = 0; i < n; i++)
        h += (frames[i] ^ (i * 0x9e3779b97f4a7c15u)) * 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    uint32_t h32 = (uint32_t)(h ^ (h >> 32));
    return h32 ? h32 : 1;
}

static struct stored *
stored_at(uint32_t id)
{
    return (struct stored *)(store + (size_t)id * 8);
}

static bool
same(uint32_t id, uint32_t hash, const uintptr_t *frames, size_t n)
{
    const struct stored *s = stored_at(id);
    return s->hash == hash && s->nframes == n &&
           memcmp(s->frames, frames, n * sizeof *frames) == 0;
}

/* Copy a trace into the store; its id, or 0 if the store is full. */
static uint32_t
append(uint32_t hash, const uintptr_t *frames, size_t n)
{
    size_t size = sizeof(struct stored) + n * sizeof *frames;
    size = (size + 7) & ~(size_t)7;
    size_t at = atomic_fetch_add(&store_used, size);
    if (at + size > STORE_SIZE || at / 8 > UINT32_MAX)
        return 0;
    struct stored *s = (struct stored *)(store + at);
    s->hash = hash;
    s->nframes = (uint32_t)n;
    memcpy(s->frames, frames, n * sizeof *frames);
    return (uint32_t)(at / 8);
}

static uint32_t
intern(const uintptr_t *frames, size_t n)
{
    uint32_t hash = hash_frames(frames, n);
    uint32_t mine = 0;
    for (uint32_t i = 0, at = hash & (SLOTS - 1); i < SLOTS;
         i++, at = (at + 1) & (SLOTS - 1)) {
        uint64_t slot = atomic_load_explicit(&slots[at], memory_order_acquire);
        if (slot == 0) {
            if (!mine && !(mine = append(hash, frames, n)))
                return 0;
            uint64_t want = (uint64_t)hash << 32 | mine;
            if (atomic_compare_exchange_strong(&slots[at], &slot, want))
                return mine;
            /* Lost the slot: look at what the winner put there. */
        }
        if ((uint32_t)(slot >> 32) == hash && same((uint32_t)slot, hash, frames, n))
            return (uint32_t)slot;
    }
    return 0; /* table full */
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
    if (want == 0 || capturing)
        return 0;
    capturing = true;
    /* libunwind may leave errno changed (EAGAIN from its address checks);
     * the program must see the errno the C library would leave. */
    int saved_errno = errno;
    uint32_t id = 0;
    if (set_up()) {
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
        id = n ? intern((const uintptr_t *)(raw + skip), n) : 0;
    }
    errno = saved_errno;
    capturing = false;
    return id;
}

size_t
traces_get(uint32_t id, uintptr_t *frames, size_t max)
{
    if (id == 0 || atomic_load_explicit(&ready, memory_order_acquire) != 2 ||
        (size_t)id * 8 >= atomic_load(&store_used))
        return 0;
    const struct stored *s = stored_at(id);
    size_t n = s->nframes < max ? s->nframes : max;
    memcpy(frames, s->frames, n * sizeof *frames);
    return n;
}

void
traces_for_each_region(void (*fn)(uintptr_t, uintptr_t, void *), void *arg)
{
    if (atomic_load_explicit(&ready, memory_order_acquire) != 2)
        return;
    fn((uintptr_t)slots, (uintptr_t)(slots + SLOTS), arg);
    fn((uintptr_t)store, (uintptr_t)store + STORE_SIZE, arg);
}
