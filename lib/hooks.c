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

    unsigned char *p = base + 2 * SST;
    block_write_header(p, n, ctx->api_id);
    if (!zeroed)
        memset(p, CLEANBYTE, n);
    block_write_trailer(p, n, with_serial, next_serial(with_serial));
    return p;
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
 * Check the block at P before FUNC releases or resizes it; a fault is a
 * fatal error with a report.
 */
static void
check_block(struct hooks_ctx *ctx, const char *func, unsigned char *p)
{
    bool with_serial = options.serialno;
    size_t capacity = SIZE_MAX;
    enum block_fault fault = block_check_head(p, ctx->api_id);
    if (fault == BLOCK_OK) {
        /* Only a block whose head looks right is safe to ask the base
         * about; its answer keeps a size field hit by a wild write from
         * sending the tail check out of the block. */
        if (ctx->capacity)
            capacity = ctx->capacity(ctx->base.ctx, p - 2 * SST);
        fault = block_check_tail(p, with_serial, capacity);
    }
    if (fault != BLOCK_OK)
        report_bad_block(func, ctx->api_id, p, fault, capacity, with_serial);
}

void
hooks_free(void *vctx, void *ptr)
{
    struct hooks_ctx *ctx = vctx;
    unsigned char *p = ptr;
    if (!p)
        return;
    options_init();
    check_block(ctx, api_free_name(ctx->api_id), p);
    /* DESIGN.md section 2: free fills the whole block with DEADBYTE. */
    size_t n = block_size(p);
    memset(p - 2 * SST, DEADBYTE, n + block_overhead(options.serialno));
    ctx->base.free(ctx->base.ctx, p - 2 * SST);
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
void *
hooks_realloc(void *vctx, void *ptr, size_t new_size)
{
    struct hooks_ctx *ctx = vctx;
    unsigned char *p = ptr;
    if (!p)
        return alloc_block(ctx, new_size, false);
    options_init();
    bool with_serial = options.serialno;
    check_block(ctx, api_realloc_name(ctx->api_id), p);

    size_t old_size = block_size(p);
    size_t old_serial = with_serial ? block_serial(p) : 0;
    if (new_size > block_max_request(with_serial)) {
        errno = ENOMEM;
        return NULL;
    }

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
