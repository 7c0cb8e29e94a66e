/* SPDX-License-Identifier: MIT */
/*
 * hooks.c -- the debug hooks over a base allocator (CPython's
 * _PyMem_DebugRawAlloc/Realloc/Free).  Every malloc-like call asks the
 * base for the request plus the block overhead and lays out the debug
 * block; realloc and free check the block first and abort with a report
 * when it is damaged or belongs to another API.
 *
 * Runs inside the allocator: no malloc of our own, no stdio, no locks.
 * errno is left alone except where a call fails with ENOMEM.
 */
#include "config.h"

#include "hooks.h"

#include "api.h"
#include "block.h"
#include "options.h"
#include "report.h"
#include "serial.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

/* The block's serial number: the next one, or 0 when they are off. */
static size_t
next_serial(bool with_serial)
{
    return with_serial ? deadbyte_serialno_bump() : 0;
}

/* Header, fill and trailer of a fresh block of N bytes at P. */
static void *
lay_out(struct hooks_ctx *ctx, unsigned char *p, size_t n, bool zeroed,
        bool with_serial)
{
    block_write_header(p, n, ctx->api_id);
    if (!zeroed)
        memset(p, CLEANBYTE, n);
    block_write_trailer(p, n, with_serial, next_serial(with_serial));
    return p;
}

static void *
alloc_block(struct hooks_ctx *ctx, size_t n, bool zeroed)
{
    options_init();
    bool with_serial = options.serialno;
    if (n > block_max_request(with_serial)) {
        errno = ENOMEM;
        return NULL;
    }
    size_t total = n + block_overhead(with_serial);
    unsigned char *base = zeroed ? ctx->base.calloc(ctx->base.ctx, 1, total)
                                 : ctx->base.malloc(ctx->base.ctx, total);
    if (!base)
        return NULL;
    return lay_out(ctx, base + 2 * SST, n, zeroed, with_serial);
}

void *
hooks_malloc(void *ctx, size_t size)
{
    return alloc_block(ctx, size, false);
}

void *
hooks_calloc(void *ctx, size_t nelem, size_t elsize)
{
    if (elsize != 0 && nelem > SIZE_MAX / elsize) {
        errno = ENOMEM;
        return NULL;
    }
    return alloc_block(ctx, nelem * elsize, true);
}

/*
 * Aligned blocks.  The data must start on an ALIGN boundary, so the base
 * allocation (aligned itself) starts ALIGN bytes before it; the header
 * takes the last 2S of that room, and the rest is a gap filled with
 * FORBIDDENBYTE.  The word just before the header holds ALIGN << 4 | 8:
 * for an ordinary block, that word is the C library's chunk size field,
 * whose bit 3 is always clear (glibc chunk sizes are multiples of 16 and
 * its flags are bits 0-2), so free() can tell the two apart without any
 * table.
 */
#define ALIGNED_MARK 0x8u

static size_t
aligned_offset(const struct hooks_ctx *ctx, const unsigned char *p)
{
    if (!ctx->memalign)
        return 2 * SST;
    size_t word;
    memcpy(&word, p - 3 * SST, sizeof word);
    return (word & 0xf) == ALIGNED_MARK ? word >> 4 : 2 * SST;
}

void *
hooks_memalign(struct hooks_ctx *ctx, size_t align, size_t n)
{
    if (align <= 2 * SST)
        return alloc_block(ctx, n, false); /* the base aligns to 2S */
    options_init();
    bool with_serial = options.serialno;
    size_t trailer = block_overhead(with_serial) - 2 * SST;
    if (align > (size_t)PTRDIFF_MAX / 32 ||
        n > block_max_request(with_serial) - align) {
        errno = ENOMEM;
        return NULL;
    }
    unsigned char *base = ctx->memalign(align, align + n + trailer);
    if (!base)
        return NULL;
    unsigned char *p = base + align;
    memset(base, FORBIDDENBYTE, align - 2 * SST);
    size_t word = align << 4 | ALIGNED_MARK;
    memcpy(p - 3 * SST, &word, sizeof word);
    return lay_out(ctx, p, n, false, with_serial);
}

/*
 * Check the block at P before FUNC releases or resizes it; a fault is a
 * fatal error with a report.  Returns the offset of P from the start of
 * its base allocation.
 */
static size_t
check_block(struct hooks_ctx *ctx, const char *func, unsigned char *p)
{
    struct report_bad bad = {func, ctx->api_id, p, BLOCK_OK, SIZE_MAX,
                             options.serialno, 0};
    size_t offset = 2 * SST;
    bad.fault = block_check_head(p, ctx->api_id);
    if (bad.fault == BLOCK_OK) {
        /* Only a block whose head looks right is safe to ask the base
         * about; its answer keeps a size field hit by a wild write from
         * sending the tail check out of the block. */
        offset = aligned_offset(ctx, p);
        if (ctx->capacity) {
            size_t whole = ctx->capacity(ctx->base.ctx, p - offset);
            size_t gap = offset - 2 * SST;
            bad.capacity = whole == SIZE_MAX ? SIZE_MAX
                           : whole > gap     ? whole - gap
                                             : 0;
        }
        bad.fault = block_check_tail(p, bad.with_serial, bad.capacity);
    }
    if (bad.fault != BLOCK_OK)
        report_bad_block(&bad);
    return offset;
}

static void
release(struct hooks_ctx *ctx, unsigned char *p, size_t offset)
{
    /* DESIGN.md section 2: free fills the whole block with DEADBYTE. */
    size_t end = block_size(p) + block_overhead(options.serialno) - 2 * SST;
    memset(p - offset, DEADBYTE, offset + end);
    ctx->base.free(ctx->base.ctx, p - offset);
}

void
hooks_free(void *vctx, void *ptr)
{
    struct hooks_ctx *ctx = vctx;
    if (!ptr)
        return;
    options_init();
    size_t offset = check_block(ctx, api_free_name(ctx->api_id), ptr);
    release(ctx, ptr, offset);
}

void
hooks_free_sized(struct hooks_ctx *ctx, void *ptr, size_t size)
{
    if (!ptr)
        return;
    options_init();
    const char *func = api_free_name(ctx->api_id);
    size_t offset = check_block(ctx, func, ptr);
    if (block_size(ptr) != size) {
        struct report_bad bad = {func, ctx->api_id, ptr,
                                 BLOCK_BAD_DELETE_SIZE, SIZE_MAX,
                                 options.serialno, size};
        report_bad_block(&bad);
    }
    release(ctx, ptr, offset);
}

size_t
hooks_usable_size(struct hooks_ctx *ctx, void *ptr)
{
    if (!ptr)
        return 0;
    options_init();
    check_block(ctx, "malloc_usable_size", ptr);
    return block_size(ptr);
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
static void *
realloc_in_base(struct hooks_ctx *ctx, unsigned char *p, size_t new_size)
{
    bool with_serial = options.serialno;
    size_t old_size = block_size(p);
    size_t old_serial = with_serial ? block_serial(p) : 0;
    unsigned char save[2 * ERASED_SIZE];
    unsigned char *old_base = p - 2 * SST;
    size_t trailer = block_overhead(with_serial) - 2 * SST;
    bool small = old_size <= 2 * ERASED_SIZE;
    if (small) {
        memcpy(save, p, old_size);
        memset(old_base, DEADBYTE, old_size + block_overhead(with_serial));
    } else {
        unsigned char *last = p + old_size - ERASED_SIZE;
        memcpy(save, p, ERASED_SIZE);
        memcpy(save + ERASED_SIZE, last, ERASED_SIZE);
        memset(old_base, DEADBYTE, 2 * SST + ERASED_SIZE);
        memset(last, DEADBYTE, ERASED_SIZE + trailer);
        /* The cut-off middle; the ends are erased already. */
        size_t from = new_size > ERASED_SIZE ? new_size : ERASED_SIZE;
        if (from < old_size - ERASED_SIZE)
            memset(p + from, DEADBYTE, old_size - ERASED_SIZE - from);
    }

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

    p = base + 2 * SST;
    block_write_header(p, size, ctx->api_id);
    block_write_trailer(p, size, with_serial,
                        failed ? old_serial : next_serial(with_serial));
    size_t kept = size < old_size ? size : old_size;
    if (small) {
        memcpy(p, save, kept);
    } else {
        memcpy(p, save, kept < ERASED_SIZE ? kept : ERASED_SIZE);
        size_t last_at = old_size - ERASED_SIZE;
        if (kept > last_at)
            memcpy(p + last_at, save + ERASED_SIZE, kept - last_at);
    }
    if (failed) {
        errno = ENOMEM;
        return NULL;
    }
    /* DESIGN.md section 2: growing fills the new tail with CLEANBYTE. */
    if (new_size > old_size)
        memset(p + old_size, CLEANBYTE, new_size - old_size);
    return p;
}

/* An aligned block cannot be resized by the base: move it. */
static void *
realloc_by_moving(struct hooks_ctx *ctx, unsigned char *p, size_t offset,
                  size_t new_size)
{
    unsigned char *q = alloc_block(ctx, new_size, false);
    if (!q)
        return NULL;
    size_t old_size = block_size(p);
    memcpy(q, p, old_size < new_size ? old_size : new_size);
    release(ctx, p, offset);
    return q;
}

void *
hooks_realloc(void *vctx, void *ptr, size_t new_size)
{
    struct hooks_ctx *ctx = vctx;
    if (!ptr)
        return alloc_block(ctx, new_size, false);
    options_init();
    size_t offset = check_block(ctx, api_realloc_name(ctx->api_id), ptr);
    if (new_size > block_max_request(options.serialno)) {
        errno = ENOMEM;
        return NULL;
    }
    if (offset != 2 * SST)
        return realloc_by_moving(ctx, ptr, offset, new_size);
    return realloc_in_base(ctx, ptr, new_size);
}
