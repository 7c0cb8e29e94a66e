/* SPDX-License-Identifier: MIT */
/*
 * writer_words.c -- the words of the reports (writer_words.h): every
 * sentence a report says, in one place, so that the reports choose and
 * this file writes.
 */
#include "config.h"

#include "writer_words.h"

#include "api.h"

#include <string.h>
#include <unistd.h>

void
words_api_char(struct fmt *out, unsigned char id)
{
    fmt_char(out, '\'');
    if (id >= 0x20 && id < 0x7f) {
        fmt_char(out, (char)id);
    } else {
        fmt_str(out, "\\x");
        fmt_hex2(out, id);
    }
    fmt_char(out, '\'');
}

void
words_block(struct fmt *out, const struct block_record *record)
{
    fmt_str(out, "the ");
    fmt_dec(out, record->size);
    if (record->tracked) {
        fmt_str(out, "-byte block registered with deadbyte_track (API ");
        words_api_char(out, (unsigned char)record->api);
        fmt_char(out, ')');
        return;
    }
    fmt_str(out, "-byte block allocated with ");
    const char *name = api_alloc_name(record->api);
    fmt_str(out, name ? name : "?");
    if (record->serial) {
        fmt_str(out, " (call #");
        fmt_dec(out, record->serial);
        fmt_char(out, ')');
    }
}

void
writer_say_bad_block(struct writer *w, const struct bad_block_words *b)
{
    struct fmt *out = &w->out;
    const struct block_record *record = b->record;
    writer_message_begin(w);
    switch (b->fault) {
    case BLOCK_BAD_ID:
        if (api_alloc_name((char)b->header_api)) {
            fmt_str(out, "API mismatch: a block allocated with ");
            fmt_str(out, api_alloc_name((char)b->header_api));
            fmt_str(out, " was released with ");
            fmt_str(out, b->func);
        } else {
            fmt_str(out, "the API id of the block was overwritten (deadbyte "
                         "recorded ");
            words_api_char(out, (unsigned char)record->api);
            fmt_str(out, "): an underflow or a wild write reached the "
                         "header");
        }
        break;
    case BLOCK_BAD_LEADING_PAD:
        fmt_str(out, "buffer underflow: something wrote before the start "
                     "of the block, at p-");
        fmt_dec(out, (uintmax_t)b->bad_lead);
        break;
    case BLOCK_BAD_SIZE:
        fmt_str(out, "the size field is corrupt: an underflow or a wild "
                     "write reached the header");
        break;
    case BLOCK_BAD_TRAILING_PAD:
        fmt_str(out, "buffer overflow: something wrote past the end of "
                     "the ");
        fmt_dec(out, record->size);
        fmt_str(out, "-byte block, at p+");
        fmt_dec(out, record->size + (size_t)b->bad_tail);
        break;
    case BLOCK_BAD_DELETE_SIZE: {
        const char *name = api_alloc_name(record->api);
        fmt_str(out, "sized delete mismatch: ");
        fmt_str(out, b->func);
        fmt_str(out, " was told the block holds ");
        fmt_dec(out, b->delete_size);
        fmt_str(out, " bytes, but ");
        fmt_dec(out, record->size);
        fmt_str(out, " were requested from ");
        fmt_str(out, name ? name : "?");
        break;
    }
    case BLOCK_OK:
        break;
    }
    writer_message_end(w);
}

void
words_bad_block_detail(struct fmt *detail, const struct bad_block_words *b)
{
    if (b->fault == BLOCK_BAD_ID) {
        fmt_str(detail, "Allocated using API ");
        words_api_char(detail, b->header_api);
        fmt_str(detail, ", verified using API '");
        fmt_char(detail, b->verify_api);
        fmt_char(detail, '\'');
    } else if (b->fault == BLOCK_BAD_DELETE_SIZE) {
        fmt_dec(detail, b->record->size);
        fmt_str(detail, " bytes allocated, ");
        fmt_dec(detail, b->delete_size);
        fmt_str(detail, " passed");
    }
}

void
words_detected_title(struct fmt *title, const char *func)
{
    fmt_str(title, "Detected by ");
    fmt_str(title, func);
    fmt_str(title, " at");
}

void
writer_say_own_malloc(struct writer *w, const char *const *names, size_t n,
                      const char *module)
{
    struct fmt *out = &w->out;
    writer_message_begin(w);
    fmt_str(out, "warning: ");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fmt_str(out, i + 1 == n ? " and " : ", ");
        fmt_str(out, names[i]);
    }
    fmt_str(out, n == 1 ? " is" : " are");
    fmt_str(out, " defined in ");
    fmt_str(out, module);
    fmt_str(out, ", ahead of deadbyte's: the blocks ");
    fmt_str(out, n == 1 ? "it hands" : "they hand");
    fmt_str(out, " out are not checked");
    writer_message_end(w);
}

void
writer_say_interior(struct writer *w, const char *func,
                    const struct block_record *record, size_t offset)
{
    struct fmt *out = &w->out;
    writer_message_begin(w);
    fmt_str(out, "interior pointer: ");
    fmt_str(out, func);
    fmt_str(out, " was given p+");
    fmt_dec(out, offset);
    fmt_str(out, ", not the start p of ");
    words_block(out, record);
    if (record->freed)
        fmt_str(out, ", which was freed already");
    writer_message_end(w);
}

/* "in the data of /usr/bin/prog", "on the stack of the main thread", ... */
static void
put_where(struct fmt *out, const struct where *where)
{
    switch (where->kind) {
    case WHERE_HEAP_BLOCK:
        fmt_str(out, "in deadbyte's heap, outside the data of the ");
        fmt_dec(out, where->size);
        fmt_str(out, "-byte block at ");
        fmt_ptr(out, (const void *)where->block);
        fmt_str(out, where->freed ? " (freed)" : "");
        return;
    case WHERE_HEAP:
        fmt_str(out, "in deadbyte's heap, in no block (a block freed "
                     "and out of the quarantine, or none yet)");
        return;
    case WHERE_ANONYMOUS:
        fmt_str(out, "in memory of its own (an anonymous mapping, ");
        fmt_str(out, where->perms);
        fmt_str(out, ")");
        return;
    case WHERE_MAIN_STACK:
        fmt_str(out, "on the stack of the main thread");
        return;
    case WHERE_SPECIAL:
        fmt_str(out, "in ");
        break;
    case WHERE_CODE:
        fmt_str(out, "in the code of ");
        break;
    case WHERE_DATA:
        fmt_str(out, "in the data of ");
        break;
    case WHERE_NOWHERE:
        fmt_str(out, "in no mapping of the process");
        return;
    }
    fmt_str(out, where->path);
}

void
writer_pointer_lines(struct writer *w, const void *p,
                     const struct where *where)
{
    struct fmt *out = &w->out;
    writer_text_begin(w);
    fmt_str(out, "Pointer ");
    fmt_ptr(out, p);
    fmt_str(out, " was not handed out by deadbyte: it lies ");
    put_where(out, where);
    fmt_str(out, ".\n\n");
    writer_text_end(w);
}

void
writer_say_invalid(struct writer *w, const char *func)
{
    struct fmt *out = &w->out;
    writer_message_begin(w);
    fmt_str(out, "invalid pointer: ");
    fmt_str(out, func);
    fmt_str(out, " was given a pointer that no allocation function "
                 "returned (or whose block was released long ago)");
    writer_message_end(w);
}

void
writer_say_freed(struct writer *w, const char *words, const char *func,
                 const struct block_record *record)
{
    struct fmt *out = &w->out;
    writer_message_begin(w);
    fmt_str(out, words);
    fmt_str(out, func);
    fmt_str(out, " was given ");
    words_block(out, record);
    fmt_str(out, ", which was freed already");
    writer_message_end(w);
}

void
writer_tracked_lines(struct writer *w, const struct block_record *record)
{
    struct fmt *out = &w->out;
    writer_text_begin(w);
    fmt_str(out, "Memory block at p=");
    fmt_ptr(out, (const void *)record->p);
    fmt_str(out, ": ");
    fmt_dec(out, record->size);
    fmt_str(out, " bytes registered with deadbyte_track(), not allocated "
                 "by deadbyte\n\n");
    writer_text_end(w);
}

void
writer_say_tracked(struct writer *w, const char *func,
                   const struct block_record *record)
{
    struct fmt *out = &w->out;
    writer_message_begin(w);
    fmt_str(out, "tracked block: ");
    fmt_str(out, func);
    fmt_str(out, " was given ");
    words_block(out, record);
    fmt_str(out, "; call deadbyte_untrack() and release it the way it "
                 "was obtained");
    writer_message_end(w);
}

void
writer_say_write_after_free(struct writer *w,
                            const struct block_record *record, size_t changed,
                            ptrdiff_t first, bool by_heap_check)
{
    struct fmt *out = &w->out;
    writer_message_begin(w);
    fmt_str(out, "write after free: ");
    fmt_dec(out, changed);
    fmt_str(out, changed == 1 ? " byte of " : " bytes of ");
    words_block(out, record);
    fmt_str(out, " changed after it was freed, the first at p");
    fmt_char(out, first < 0 ? '-' : '+');
    fmt_dec(out, (uintmax_t)(first < 0 ? -first : first));
    fmt_str(out, by_heap_check ? " (found by the heap check)"
                               : " (found when the block left the quarantine)");
    writer_message_end(w);
}

void
writer_say_out_of_memory(struct writer *w, const char *func, const void *p,
                         size_t size)
{
    struct fmt *out = &w->out;
    writer_message_begin(w);
    fmt_str(out, "out of memory: ");
    fmt_str(out, func);
    fmt_str(out, " moved a block of ");
    fmt_dec(out, size);
    fmt_str(out, " bytes to p=");
    fmt_ptr(out, p);
    fmt_str(out, ", and mmap failed when deadbyte grew its table of "
                 "blocks to record it; the old block is gone, so no "
                 "result would be safe");
    writer_message_end(w);
}

void
writer_say_unlocked(struct writer *w, const char *func)
{
    writer_message_begin(w);
    fmt_str(&w->out, func);
    fmt_str(&w->out, " called without the lock held (deadbyte_set_lock_check)");
    writer_message_end(w);
}

/* "p+10", "p-8": ADDR relative to the block's data. */
static void
put_offset(struct fmt *out, uintptr_t addr, uintptr_t p)
{
    fmt_char(out, 'p');
    if (addr < p) {
        fmt_char(out, '-');
        fmt_dec(out, p - addr);
    } else {
        fmt_char(out, '+');
        fmt_dec(out, addr - p);
    }
}

static void
put_bytes(struct fmt *out, size_t n)
{
    fmt_dec(out, n);
    fmt_str(out, n == 1 ? " byte" : " bytes");
}

void
words_access_title(struct fmt *title, const struct access_words *a)
{
    static const char *const words[] = {"Bad read", "Bad write",
                                        "Bad access"};
    fmt_str(title, words[a->kind]);
    if (a->func) {
        fmt_str(title, " by ");
        fmt_str(title, a->func);
    }
    fmt_str(title, " at");
}

/* "buffer overflow: memcpy read 20 bytes at p+10..p+30 of the 16-byte
 * block allocated with malloc (call #1), 14 bytes past its end", or for
 * a fault "... a read at p+100 of ...". */
void
writer_say_access(struct writer *w, const struct access_words *a)
{
    struct fmt *out = &w->out;
    const struct block_record *record = a->record;
    enum access_kind kind = a->kind;
    writer_message_begin(w);
    fmt_str(out, a->before                      ? "buffer underflow: "
                 : a->inside && record->freed ? "use after free: "
                                              : "buffer overflow: ");
    uintptr_t p = record->p;
    if (a->len) {
        if (a->func) {
            fmt_str(out, a->func);
            fmt_char(out, ' ');
        } else {
            fmt_str(out, "an instruction ");
        }
        fmt_str(out, kind == ACCESS_READ    ? "read "
                     : kind == ACCESS_WRITE ? "wrote "
                                            : "touched ");
        put_bytes(out, a->len);
        fmt_str(out, " at ");
        put_offset(out, a->start, p);
        fmt_str(out, "..");
        put_offset(out, a->start + a->len, p);
    } else {
        fmt_str(out, kind == ACCESS_READ    ? "a read"
                     : kind == ACCESS_WRITE ? "a write"
                                            : "an access");
        if (a->func) {
            fmt_str(out, " by ");
            fmt_str(out, a->func);
        }
        fmt_str(out, " at ");
        put_offset(out, a->start, p);
    }
    fmt_str(out, " of ");
    words_block(out, record);
    uintptr_t end = a->start + a->len;
    if (a->before) {
        fmt_str(out, ", ");
        put_bytes(out, p - a->start);
        /* A fault is on a page before the header, and a block with a
         * guard page before its data has no header. */
        fmt_str(out, a->func && record->guard != BLOCK_GUARD_BEFORE
                         ? " before its start, in its header"
                         : " before its start");
    } else if (!(a->inside && record->freed)) {
        fmt_str(out, ", ");
        put_bytes(out, end > p + record->size ? end - (p + record->size)
                                              : a->start - (p + record->size));
        fmt_str(out, " past its end");
    }
    if (record->freed)
        fmt_str(out, ", which was freed already");
    writer_message_end(w);
}

void
writer_say_second_error(struct writer *w, const char *func, const char *check)
{
    struct fmt *out = &w->out;
    writer_message_begin(w);
    fmt_str(out, "a second error while reporting the first in process ");
    fmt_dec(out, (uintmax_t)getpid());
    fmt_str(out, ": ");
    fmt_str(out, func);
    fmt_str(out, ": ");
    fmt_str(out, check);
    fmt_str(out, "; aborting");
    writer_message_end(w);
}

void
writer_leak_lines(struct writer *w, const struct leak_words *l)
{
    struct fmt *out = &w->out;
    writer_text_begin(w);
    fmt_str(out, l->head);
    fmt_dec(out, l->bytes);
    fmt_str(out, l->bytes == 1 ? " byte in " : " bytes in ");
    fmt_dec(out, l->count);
    fmt_str(out, l->count == 1 ? " block" : " blocks");
    if (l->tracked) {
        /* No serial number: deadbyte did not make it. */
        fmt_str(out, ", registered with deadbyte_track (API '");
        fmt_char(out, l->api);
        fmt_str(out, "'); e.g. the block (");
    } else {
        const char *name = api_alloc_name(l->api);
        fmt_str(out, ", allocated with ");
        fmt_str(out, name ? name : "?");
        fmt_str(out, "; e.g. block #");
        fmt_dec(out, l->serial);
        fmt_str(out, " (");
    }
    fmt_dec(out, l->size);
    fmt_str(out, " bytes) at ");
    fmt_ptr(out, (void *)l->p);
    if (l->shown) {
        fmt_str(out, ":");
        for (size_t i = 0; i < l->shown; i++) {
            fmt_char(out, ' ');
            fmt_hex2(out, l->data[i]);
        }
        if (l->size > l->shown)
            fmt_str(out, " ...");
    }
    fmt_char(out, '\n');
    writer_text_end(w);
}

void
writer_leak_summary_lines(struct writer *w, size_t direct,
                          size_t direct_bytes, size_t indirect,
                          size_t indirect_bytes, size_t reachable,
                          size_t reachable_bytes)
{
    struct fmt *out = &w->out;
    writer_text_begin(w);
    fmt_str(out, "deadbyte: leak summary: ");
    fmt_dec(out, direct_bytes + indirect_bytes);
    fmt_str(out, " bytes in ");
    fmt_dec(out, direct + indirect);
    fmt_str(out, direct + indirect == 1 ? " block definitely lost ("
                                        : " blocks definitely lost (");
    fmt_dec(out, direct);
    fmt_str(out, " direct, ");
    fmt_dec(out, indirect);
    fmt_str(out, " indirect); ");
    fmt_dec(out, reachable_bytes);
    fmt_str(out, " bytes in ");
    fmt_dec(out, reachable);
    fmt_str(out, reachable == 1 ? " block still reachable\n"
                                : " blocks still reachable\n");
    writer_text_end(w);
}

void
writer_say(struct writer *w, const char *words1, const char *words2,
           const char *words3)
{
    writer_message_begin(w);
    fmt_str(&w->out, words1);
    if (words2)
        fmt_str(&w->out, words2);
    if (words3)
        fmt_str(&w->out, words3);
    writer_message_end(w);
}

void
writer_say_guard_full(struct writer *w, size_t max)
{
    writer_message_begin(w);
    fmt_str(&w->out, "warning: ");
    fmt_dec(&w->out, max);
    fmt_str(&w->out, " blocks have guard pages, as many as --guard-max "
                     "allows; blocks made while that many are live or in "
                     "quarantine get none");
    writer_message_end(w);
}

void
words_breakpoint_title(struct fmt *title, size_t serial, size_t size,
                       char api, const void *p)
{
    const char *name = api_alloc_name(api);
    fmt_str(title, "deadbyte: block #");
    fmt_dec(title, serial);
    fmt_str(title, " (");
    fmt_dec(title, size);
    fmt_str(title, " bytes, ");
    fmt_str(title, name ? name : "?");
    fmt_str(title, ") is at ");
    fmt_ptr(title, p);
    fmt_str(title, "; it was made at");
}

void
writer_say_alignment(struct writer *w, const char *func, size_t align,
                     const char *why, size_t rounded)
{
    struct fmt *out = &w->out;
    writer_message_begin(w);
    fmt_str(out, "warning: ");
    fmt_str(out, func);
    fmt_str(out, ": alignment ");
    fmt_dec(out, align);
    fmt_str(out, " is ");
    fmt_str(out, why);
    if (rounded) {
        fmt_str(out, "; using ");
        fmt_dec(out, rounded);
        fmt_str(out, ", as the C library does");
    } else {
        fmt_str(out, "; returning EINVAL");
    }
    writer_message_end(w);
}
