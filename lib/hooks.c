/* SPDX-License-Identifier: MIT */
/*
 * hooks.c -- the debug hooks over a base allocator (CPython's
 * _PyMem_DebugRawAlloc/Realloc/Free), with what CPython's lack: every
 * block is recorded in the registry with the call stack that made it, a
 * release first asks the registry (so a pointer never handed out, or
 * freed already, is diagnosed without touching its memory), and freed
 * blocks wait in the quarantine, where writes after free are caught.
 *
 * Runs inside the allocator: no malloc of our own, no stdio, no lock the
 * program could hold.  errno is left alone except where a call fails with
 * ENOMEM.
 *
 * Under --keep-going a report returns (keep_going.h): a damaged block is
 * then leaked -- left freed in the registry, out of the quarantine, never
 * given back -- and a call given a pointer it cannot release (freed,
 * unknown, interior, tracked) does nothing.  A realloc of such a pointer
 * makes a new block (with the old block's bytes, if it is a block of
 * deadbyte's) and leaves the old one alone.
 */
#include "config.h"

#include "hooks.h"

#include "api.h"
#include "block.h"
#include "breakpoint.h"
#include "dump.h"
#include "guard.h"
#include "heap.h"
#include "keep_going.h"
#include "lockcheck.h"
#include "options.h"
#include "quarantine.h"
#include "registry.h"
#include "report.h"
#include "safe_read.h"
#include "serial.h"
#include "traces.h"
#include "usage.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- What the hooks count, for the lifecycle (hooks.h) ------------- */

atomic_size_t hooks_unchecked_calls;

/* Count one call for --check-every: the lifecycle checks the heap. */
static inline void
count_call(void)
{
    atomic_fetch_add_explicit(&hooks_unchecked_calls, 1, memory_order_relaxed);
}

static bool untouched_since_fork;

void
hooks_note_fork_child(void)
{
    untouched_since_fork = true;
}

bool
hooks_untouched_since_fork(void)
{
    return __atomic_load_n(&untouched_since_fork, __ATOMIC_RELAXED);
}

/* A block is made, freed or resized: a load, and a store only once. */
static inline void
note_change(void)
{
    if (__builtin_expect(
            __atomic_load_n(&untouched_since_fork, __ATOMIC_RELAXED), 0))
        __atomic_store_n(&untouched_since_fork, false, __ATOMIC_RELAXED);
}

int
hooks_api_of(const deadbyte_allocator_t *allocator)
{
    if (!hooks_installed(allocator))
        return 0;
    return ((const struct hooks_ctx *)allocator->ctx)->api_id;
}

bool
hooks_base_of(const deadbyte_allocator_t *allocator,
              deadbyte_allocator_t *base)
{
    if (!hooks_installed(allocator))
        return false;
    *base = ((const struct hooks_ctx *)allocator->ctx)->base;
    return true;
}

/* ---- The hooks -------------------------------------------------------- */

/* The block's serial number: the next one, or 0 when they are off. */
static size_t
next_serial(bool with_serial)
{
    return with_serial ? deadbyte_serialno_bump() : 0;
}

/* Header, fill and trailer of a fresh block of N bytes at P, OFFSET bytes
 * into its base allocation; then record it.  A block with a guard page
 * after its data has no trailer (the page stands for its pad, and its
 * serial number is in its record only), one with the page before its
 * data no header. */
HOOK_PATH static void *
lay_out(struct hooks_ctx *ctx, unsigned char *p, size_t offset, size_t n,
        bool zeroed, bool with_serial, enum block_guard guard)
{
    if (guard != BLOCK_GUARD_BEFORE)
        block_write_header(p, n, ctx->api_id);
    if (!zeroed)
        block_fill(p, n, CLEANBYTE, options.fill_limit);
    struct block_record record = {
        (uintptr_t)p, n, next_serial(with_serial), 0, 0,
        (uint32_t)offset, ctx->api_id, false, false, (uint8_t)guard,
    };
    if (guard != BLOCK_GUARD_AFTER)
        block_write_trailer(p, n, with_serial, record.serial);
    record.alloc_trace = traces_capture();
    if (!registry_add(&record)) {
        /* Handed out unrecorded, the block could never be freed: fail as
         * the C library does when it runs out of memory. */
        ctx->base.free(ctx->base.ctx, p - offset);
        if (guard)
            guard_released();
        errno = ENOMEM;
        return NULL;
    }
    usage_count(+1, n);
    note_change();
    if (options.break_at.count)
        breakpoint_check(record.serial, p, n, ctx->api_id, record.alloc_trace);
    if (options.check_every)
        count_call();
    return p;
}

/*
 * A block of N bytes in pages of its own, against a PROT_NONE page
 * (--guard-pages): its data ends at the end of its pages
 * (block_guarded_data), the few bytes its alignment leaves between
 * them filled as a pad, or starts at their start.  NULL if the pages
 * could not be mapped: the caller makes an ordinary block instead.
 */
HOOK_PATH static void *
alloc_guarded(struct hooks_ctx *ctx, size_t n, bool zeroed, bool with_serial,
              enum block_guard guard)
{
    size_t len;
    unsigned char *base =
        heap_pages(block_guarded_before(guard) + n +
                       block_guarded_after(guard, with_serial),
                   &len);
    if (!base)
        return NULL;
    unsigned char *p = block_place_guarded(base, len, n, guard);
    /* Fresh pages are zero: calloc need not clear them. */
    return lay_out(ctx, p, (size_t)(p - base), n, zeroed, with_serial, guard);
}

/* A block of N bytes, zeroed or filled; GUARDABLE: it may be given a
 * guard page, and then only malloc's alignment (block_guarded_data). */
HOOK_PATH static void *
alloc_block(struct hooks_ctx *ctx, size_t n, bool zeroed, bool guardable)
{
    options_init();
    bool with_serial = options.serialno;
    if (n > block_max_request(with_serial)) {
        errno = ENOMEM;
        return NULL;
    }
    if (__builtin_expect(options.guard_pages.mode != GUARD_NO, 1) &&
        guardable && ctx->base.malloc == heap_malloc) {
        enum block_guard guard = guard_choose(n);
        if (guard) {
            void *p = alloc_guarded(ctx, n, zeroed, with_serial, guard);
            if (p)
                return p;
            guard_released();
        }
    }
    size_t total = n + block_overhead(with_serial);
    unsigned char *base = zeroed ? ctx->base.calloc(ctx->base.ctx, 1, total)
                                 : ctx->base.malloc(ctx->base.ctx, total);
    if (!base)
        return NULL;
    return lay_out(ctx, base + BLOCK_HEADER_SIZE, BLOCK_HEADER_SIZE, n,
                   zeroed, with_serial,
                   BLOCK_GUARD_NONE);
}

/* The program's lock must be held for FUNC (a NAME of the API), if this
 * allocator checks it: before anything reaches a base that needs it. */
#define CHECK_LOCK(ctx, name)                                                  \
    do {                                                                       \
        if ((ctx)->check_lock)                                                 \
            lockcheck_require(name((ctx)->api_id));                            \
    } while (0)

HOOK_PATH void *
hooks_malloc(void *vctx, size_t size)
{
    struct hooks_ctx *ctx = vctx;
    CHECK_LOCK(ctx, api_alloc_name);
    return alloc_block(ctx, size, false, true);
}

HOOK_PATH void *
hooks_calloc(void *vctx, size_t nelem, size_t elsize)
{
    struct hooks_ctx *ctx = vctx;
    CHECK_LOCK(ctx, api_calloc_name);
    if (elsize != 0 && nelem > SIZE_MAX / elsize) {
        errno = ENOMEM;
        return NULL;
    }
    return alloc_block(vctx, nelem * elsize, true, true);
}

/*
 * Aligned blocks: the data must start on an ALIGN boundary, so the base
 * allocation (aligned itself) starts ALIGN bytes before it; the header
 * takes the last 2S of that room, and the rest is a gap of FORBIDDENBYTE.
 * The registry remembers the offset.
 */
HOOK_PATH void *
hooks_memalign(struct hooks_ctx *ctx, size_t align, size_t n)
{
    if (align <= BLOCK_HEADER_SIZE)
        /* The base aligns to 2S; a guard page would not. */
        return alloc_block(ctx, n, false, false);
    options_init();
    bool with_serial = options.serialno;
    if (align > UINT32_MAX || n > block_max_request(with_serial) - align) {
        errno = ENOMEM;
        return NULL;
    }
    unsigned char *base =
        ctx->memalign(align, align + n + block_trailer_size(with_serial));
    if (!base)
        return NULL;
    return lay_out(ctx, block_place_aligned(base, align), align, n, false,
                   with_serial,
                   BLOCK_GUARD_NONE);
}

/*
 * Look the block at P up before FUNC releases or resizes it, marking it
 * freed; a pointer never handed out, or freed already, is a fatal error.
 * False when that report returned (--keep-going): then the call must
 * leave P alone.  A block reported before is not reported again.
 */
HOOK_PATH static bool
begin_release(const char *func, unsigned char *p, uint32_t trace,
              struct block_record *record)
{
    switch (registry_begin_free((uintptr_t)p, trace, record)) {
    case REGISTRY_LIVE:
        if (record->tracked) {
            report_tracked_block(func, record, trace);
            /* The program's memory, still registered as it was. */
            registry_undo_free((uintptr_t)p);
            return false;
        }
        usage_count(-1, record->size);
        note_change();
        return true;
    case REGISTRY_FREED:
        if (keep_going_first((uintptr_t)p))
            report_freed_block(func, record, trace);
        return false;
    case REGISTRY_UNKNOWN:
        break;
    }
    report_unknown_pointer(func, p, trace);
    return false;
}

/* The block at P, RECORD, stays live after all (a realloc that failed). */
static void
undo_release(void *p, const struct block_record *record)
{
    registry_undo_free((uintptr_t)p);
    usage_count(+1, record->size);
}

/*
 * Check the bytes of the block at P, which the registry knows as RECORD,
 * in CPython's order: API id, leading pad, then -- the registry's size
 * being the true one -- the size field and the trailing pad.
 */
HOOK_PATH enum block_fault
hooks_block_fault(char api, const unsigned char *p,
                  const struct block_record *record)
{
    return block_find_fault(p, record->size, api,
                            (enum block_guard)record->guard, record->api,
                            options.serialno);
}

HOOK_PATH bool
hooks_check_block(const char *func, char api, const unsigned char *p,
                  const struct block_record *record, uint32_t trace)
{
    struct report_bad bad = {func, api, p, BLOCK_OK,
                             options.serialno, 0, record, trace};
    bad.fault = hooks_block_fault(api, p, record);
    if (__builtin_expect(bad.fault == BLOCK_OK, 1))
        return true;
    if (keep_going_first((uintptr_t)p))
        report_bad_block(&bad);
    return false;
}

/* Give a block back to the base allocator, for good. */
static void
give_back(struct hooks_ctx *ctx, uintptr_t p, size_t offset, bool guarded)
{
    registry_remove(p, NULL);
    ctx->base.free(ctx->base.ctx, (unsigned char *)p - offset);
    if (guarded)
        guard_released();
}

static void
item_ctx_free(const struct quarantine_item *item, unsigned char *base)
{
    struct hooks_ctx *ctx = item->ctx;
    ctx->base.free(ctx->base.ctx, base);
}

/*
 * A block leaves the quarantine: every byte must still be DEADBYTE, or
 * something wrote to it after it was freed.  The item says where the
 * block's bytes are: its record is read only for a report, and written
 * once, to forget it.
 */
static void
leave_quarantine(const char *func, const struct quarantine_item *item)
{
    unsigned char *base = (unsigned char *)item->p - item->offset;
    struct block_record record;
    /* Reported already (--keep-going): leaked, never checked again. */
    if (options.keep_going && keep_going_marked(item->p))
        return;
    if (!item->guarded &&
        !block_still_dead(base, item->bytes, item->offset, item->size,
                          options.fill_limit) &&
        registry_find(item->p, &record)) {
        if (keep_going_first(item->p))
            report_write_after_free(func, &record, options.serialno);
        return; /* --keep-going: its memory is not reused */
    }
    registry_remove(item->p, NULL);
    item_ctx_free(item, base);
    if (item->guarded)
        guard_released();
}

/* Blocks taken out of the quarantine at once, at most: a large block
 * freed may push out many small ones, taken out this many at a time. */
#define LEAVING_AT_ONCE 8

/*
 * Release the checked block at P: DEADBYTE over all of it (DESIGN.md
 * section 2; over the ends of a large block's data, block.h), then into
 * the quarantine (evicting the oldest blocks past the budget) or back.
 * A block larger than the whole budget goes back at once: it would only
 * push every other block out, and itself.
 */
HOOK_PATH static void
release(struct hooks_ctx *ctx, const char *func, unsigned char *p,
        const struct block_record *record)
{
    bool guarded = record->guard != BLOCK_GUARD_NONE;
    size_t bytes = block_freed_bytes(record->offset, record->size,
                                     (enum block_guard)record->guard,
                                     options.serialno);
    if (guarded) {
        /* Its pages become PROT_NONE: a use after free faults at once
         * (guard_signal.c reports it), while the block is in quarantine.
         * The pages count whole in the quarantine's budget. */
        if (!heap_pages_protect(p - record->offset, false))
            block_fill_freed(p - record->offset, bytes, record->offset,
                             record->size, options.fill_limit);
    } else {
        block_fill_freed(p - record->offset, bytes, record->offset,
                         record->size, options.fill_limit);
    }
    if (options.quarantine == 0 || options.quarantine_blocks == 0 ||
        bytes > options.quarantine) {
        give_back(ctx, (uintptr_t)p, record->offset, guarded);
        return;
    }
    struct quarantine_item item = {(uintptr_t)p, ctx, bytes, record->size,
                                   record->offset, guarded};
    struct quarantine *q =
        ctx->quarantine ? ctx->quarantine : &quarantine_shared;
    struct quarantine_item leaving[LEAVING_AT_ONCE];
    uintptr_t next;
    size_t n = quarantine_add(q, &item, options.quarantine,
                              options.quarantine_blocks, leaving,
                              LEAVING_AT_ONCE, &next);
    if (n == QUARANTINE_NO_ROOM) {
        give_back(ctx, (uintptr_t)p, record->offset, guarded);
        return;
    }
    while (n > 0) {
        for (size_t i = 0; i < n; i++)
            leave_quarantine(func, &leaving[i]);
        n = n < LEAVING_AT_ONCE
                ? 0
                : quarantine_take(q, options.quarantine,
                                  options.quarantine_blocks, leaving,
                                  LEAVING_AT_ONCE, &next);
    }
    /* The next block to leave, at a later free, is cold by now: start
     * loading its record and its first bytes. */
    if (next) {
        registry_prefetch(next);
        __builtin_prefetch((const void *)(next - BLOCK_HEADER_SIZE));
    }
    if (options.check_every)
        count_call();
}

/* free, and sized delete when SIZED: the block must hold SIZE bytes. */
HOOK_PATH static void
free_block(struct hooks_ctx *ctx, void *ptr, bool sized, size_t size)
{
    if (!ptr)
        return;
    registry_prefetch((uintptr_t)ptr); /* loads while we unwind */
    options_init();
    const char *func = api_free_name(ctx->api_id);
    uint32_t trace = traces_capture();
    struct block_record record;
    if (!begin_release(func, ptr, trace, &record) ||
        !hooks_check_block(func, ctx->api_id, ptr, &record, trace))
        return; /* --keep-going: skipped, or the block leaked */
    if (sized && record.size != size) {
        struct report_bad bad = {func, ctx->api_id, ptr,
                                 BLOCK_BAD_DELETE_SIZE, options.serialno,
                                 size, &record, trace};
        if (keep_going_first((uintptr_t)ptr))
            report_bad_block(&bad);
        return;
    }
    release(ctx, func, ptr, &record);
}

HOOK_PATH void
hooks_free(void *vctx, void *ptr)
{
    struct hooks_ctx *ctx = vctx;
    CHECK_LOCK(ctx, api_free_name);
    free_block(ctx, ptr, false, 0);
}

HOOK_PATH void
hooks_free_sized(struct hooks_ctx *ctx, void *ptr, size_t size)
{
    free_block(ctx, ptr, true, size);
}

HOOK_PATH size_t
hooks_usable_size(void *ptr)
{
    if (!ptr)
        return 0;
    options_init();
    const char *func = "malloc_usable_size";
    struct block_record record;
    /* Under --keep-going the reports return: 0 for a pointer that is no
     * live block, the size for a damaged one (leaked). */
    if (!registry_find((uintptr_t)ptr, &record)) {
        report_unknown_pointer(func, ptr, traces_capture());
        return 0;
    }
    if (record.freed) {
        if (keep_going_first((uintptr_t)ptr))
            report_freed_block(func, &record, traces_capture());
        return 0;
    }
    if (record.tracked) {
        report_tracked_block(func, &record, traces_capture());
        return 0;
    }
    /* The API id comes from the registry, not from bytes at ptr that
     * may not be a block's: any API's block may be asked about. */
    hooks_check_block(func, record.api, ptr, &record, traces_capture());
    return record.size;
}

/* Data bytes saved at each end of a large block while it is erased. */
#define ERASED_SIZE 64

/*
 * CPython's erase-before-realloc (bpo-31626): the old block is filled with
 * DEADBYTE *before* the base realloc, because after a successful realloc
 * the old memory may belong to someone else.  Small blocks are saved whole;
 * large ones keep their middle for the base realloc to copy, and only
 * their first and last ERASED_SIZE data bytes are saved and erased.
 *
 * A shrink also erases the data it cuts off (DESIGN.md section 2), so it
 * cannot be undone; if the base realloc then fails, the smaller block is
 * laid out in the old allocation instead, and the shrink still succeeds.
 * A failed grow rebuilds the old block from what was saved, still valid.
 */
HOOK_PATH static void *
realloc_in_base(struct hooks_ctx *ctx, unsigned char *p, size_t new_size,
                const struct block_record *old, uint32_t trace)
{
    bool with_serial = options.serialno;
    size_t old_size = old->size;
    unsigned char save[2 * ERASED_SIZE];
    unsigned char *old_base = p - BLOCK_HEADER_SIZE;
    bool small = old_size <= 2 * ERASED_SIZE;
    if (small) {
        memcpy(save, p, old_size);
        memset(old_base, DEADBYTE, old_size + block_overhead(with_serial));
    } else {
        unsigned char *last = p + old_size - ERASED_SIZE;
        memcpy(save, p, ERASED_SIZE);
        memcpy(save + ERASED_SIZE, last, ERASED_SIZE);
        memset(old_base, DEADBYTE, BLOCK_HEADER_SIZE + ERASED_SIZE);
        memset(last, DEADBYTE, ERASED_SIZE + block_trailer_size(with_serial));
        /* The cut-off middle (its ends only, if large); the ends of the
         * block are erased already. */
        size_t from = new_size > ERASED_SIZE ? new_size : ERASED_SIZE;
        if (from < old_size - ERASED_SIZE)
            block_fill(p + from, old_size - ERASED_SIZE - from, DEADBYTE,
                       options.fill_limit);
    }

    /* Forget the old pointer before the base realloc: once that returns,
     * another thread may be handed the old address and record it. */
    registry_remove((uintptr_t)p, NULL);
    unsigned char *base = ctx->base.realloc(
        ctx->base.ctx, old_base, new_size + block_overhead(with_serial));
    size_t size = new_size;
    bool failed = false;
    if (!base) {
        base = old_base;
        if (new_size > old_size) {
            failed = true;
            size = old_size;
        }
    }

    /* A failed grow records the same block again, anything else the new
     * one. */
    struct block_record record = *old;
    p = base + BLOCK_HEADER_SIZE;
    block_write_header(p, size, ctx->api_id);
    if (!failed) {
        record.serial = next_serial(with_serial);
        record.alloc_trace = trace; /* the realloc made this block */
    }
    record.p = (uintptr_t)p;
    record.size = size;
    record.freed = false;
    record.free_trace = 0;
    block_write_trailer(p, size, with_serial, record.serial);
    size_t kept = size < old_size ? size : old_size;
    if (small) {
        memcpy(p, save, kept);
    } else {
        memcpy(p, save, kept < ERASED_SIZE ? kept : ERASED_SIZE);
        size_t last_at = old_size - ERASED_SIZE;
        if (kept > last_at)
            memcpy(p + last_at, save + ERASED_SIZE, kept - last_at);
    }
    /* DESIGN.md section 2: growing fills the new tail with CLEANBYTE (its
     * ends, if large). */
    if (!failed && new_size > old_size)
        block_fill(p + old_size, new_size - old_size, CLEANBYTE,
                   options.fill_limit);
    /* The old block is gone and the new one cannot be recorded: neither
     * returning it nor failing would leave the program a block it can
     * use and free.  Only a block that moved to a full shard of the
     * registry while mmap fails gets here. */
    if (!registry_add(&record)) {
        report_out_of_memory(api_realloc_name(ctx->api_id), p, size);
        abort(); /* --keep-going too: no result would be safe */
    }
    usage_count(+1, size);
    note_change();
    if (failed) {
        errno = ENOMEM;
        return NULL;
    }
    if (options.break_at.count)
        breakpoint_check(record.serial, p, size, ctx->api_id, trace);
    return p;
}

/* An aligned block cannot be resized by the base: move it. */
HOOK_PATH static void *
realloc_by_moving(struct hooks_ctx *ctx, const char *func, unsigned char *p,
                  size_t new_size, const struct block_record *old)
{
    unsigned char *q = alloc_block(ctx, new_size, false, true);
    if (!q) {
        undo_release(p, old);
        return NULL;
    }
    memcpy(q, p, old->size < new_size ? old->size : new_size);
    release(ctx, func, p, old);
    return q;
}

/*
 * --keep-going: a realloc of PTR, reported (now or before) and left
 * alone, makes a new block.  If PTR is a block reported (as RECORD) --
 * damaged, or freed -- its bytes are copied over, as they are; else
 * (a pointer deadbyte never handed out, a tracked block) none.
 */
HOOK_PATH static void *
realloc_reported(struct hooks_ctx *ctx, void *ptr, size_t new_size,
                 const struct block_record *record, bool live)
{
    unsigned char *q = alloc_block(ctx, new_size, false, true);
    /* Marked: a block of the registry's, whose record was read. */
    if (!q || (!live && !keep_going_marked((uintptr_t)ptr)))
        return q;
    size_t n = record->size < new_size ? record->size : new_size;
    if (live)
        memcpy(q, ptr, n);
    else
        safe_read(q, ptr, n); /* its pages may be PROT_NONE */
    return q;
}

HOOK_PATH void *
hooks_realloc(void *vctx, void *ptr, size_t new_size)
{
    struct hooks_ctx *ctx = vctx;
    CHECK_LOCK(ctx, api_realloc_name);
    if (!ptr)
        return alloc_block(ctx, new_size, false, true);
    options_init();
    const char *func = api_realloc_name(ctx->api_id);
    uint32_t trace = traces_capture();
    struct block_record record;
    if (!begin_release(func, ptr, trace, &record))
        return realloc_reported(ctx, ptr, new_size, &record, false);
    if (!hooks_check_block(func, ctx->api_id, ptr, &record, trace))
        return realloc_reported(ctx, ptr, new_size, &record, true);
    if (new_size > block_max_request(options.serialno)) {
        undo_release(ptr, &record);
        errno = ENOMEM;
        return NULL;
    }
    if (record.offset != BLOCK_HEADER_SIZE || record.guard != BLOCK_GUARD_NONE)
        return realloc_by_moving(ctx, func, ptr, new_size, &record);
    return realloc_in_base(ctx, ptr, new_size, &record, trace);
}
