/* SPDX-License-Identifier: MIT */
/*
 * report_access.c -- the report of a bad access to a block (see
 * report_access.h): a range given to a checked C library call, or a
 * fault on a guard page.  Laid out as report.c's reports, with their
 * parts; like them it runs with no malloc, no stdio and no lock.
 */
#include "config.h"

#include "report_access.h"

#include "dump.h"
#include "fmt.h"
#include "registry.h"
#include "report.h"

#include <stddef.h>

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
report_bad_access(const struct report_access *access)
{
    const struct block_record *record = access->record;
    enum access_kind kind = access->kind;
    const char *func = access->func ? access->func : "guard page";
    const char *words, *check;
    static const char *const freed[] = {"read of a freed block",
                                        "write to a freed block",
                                        "access to a freed block"};
    static const char *const before[] = {"read before the start of a block",
                                         "write before the start of a block",
                                         "access before the start of a block"};
    static const char *const past[] = {"read past the end of a block",
                                       "write past the end of a block",
                                       "access past the end of a block"};
    /* Where the range starts decides: before the data (the header, or a
     * guard page) is an underflow, past it an overflow, of a freed
     * block as well ("..., which was freed already"); in the data of a
     * freed block, a use after free; in a live block's, an overflow of
     * a range that runs past its end. */
    bool is_before = access->start < record->p;
    bool inside = !is_before && access->start - record->p < record->size;
    enum record_kind record_kind;
    if (is_before) {
        words = "buffer underflow: ";
        check = before[kind];
        record_kind = RECORD_HEAP_BUFFER_UNDERFLOW;
    } else if (inside && record->freed) {
        words = "use after free: ";
        check = freed[kind];
        record_kind = RECORD_USE_AFTER_FREE;
    } else {
        words = "buffer overflow: ";
        check = past[kind];
        record_kind = RECORD_HEAP_BUFFER_OVERFLOW;
    }

    struct writer w;
    report_begin(&w, record_kind, func, check);
    writer_block(&w, record);
    static const char *const access_words[] = {"read", "write", "access"};
    writer_field(&w, RECORD_FIELD_ACCESS, access_words[kind]);
    writer_field_dec(&w, RECORD_FIELD_ACCESS_SIZE, access->len);
    /* The first byte of the range that is not the block's data. */
    uintptr_t first_bad = is_before || (inside && record->freed)
                              ? access->start
                              : record->p + record->size > access->start
                                    ? record->p + record->size
                                    : access->start;
    writer_offset(&w, record->p, (intptr_t)(first_bad - record->p));
    struct fmt *out = &w.out;
    if (record->freed) {
        report_put_freed_dump(&w, record, access->with_serial);
    } else {
        struct dump_findings found;
        writer_text_begin(&w);
        dump_record(out, record, access->with_serial, &found);
        writer_text_end(&w);
    }

    /* "Bad read by memcpy at", or for a fault "Bad read at". */
    static const char *const title_words[] = {"Bad read", "Bad write",
                                              "Bad access"};
    struct fmt title;
    fmt_open(&title, -1);
    fmt_str(&title, title_words[kind]);
    if (access->func) {
        fmt_str(&title, " by ");
        fmt_str(&title, access->func);
    }
    fmt_str(&title, " at");
    title.buf[title.len] = '\0';
    report_put_traces(&w, record, title.buf, access->call_trace);

    /* "memcpy read 20 bytes at p+10..p+30", or "a read at p+100". */
    writer_message_begin(&w);
    fmt_str(out, words);
    uintptr_t p = record->p;
    if (access->len) {
        if (access->func) {
            fmt_str(out, access->func);
            fmt_char(out, ' ');
        } else {
            fmt_str(out, "an instruction ");
        }
        fmt_str(out, kind == ACCESS_READ    ? "read "
                      : kind == ACCESS_WRITE ? "wrote "
                                             : "touched ");
        put_bytes(out, access->len);
        fmt_str(out, " at ");
        put_offset(out, access->start, p);
        fmt_str(out, "..");
        put_offset(out, access->start + access->len, p);
    } else {
        fmt_str(out, kind == ACCESS_READ    ? "a read"
                      : kind == ACCESS_WRITE ? "a write"
                                             : "an access");
        if (access->func) {
            fmt_str(out, " by ");
            fmt_str(out, access->func);
        }
        fmt_str(out, " at ");
        put_offset(out, access->start, p);
    }
    fmt_str(out, " of ");
    report_put_block_words(out, record);
    uintptr_t end = access->start + access->len;
    if (is_before) {
        fmt_str(out, ", ");
        put_bytes(out, p - access->start);
        /* A fault is on a page before the header, and a block with a
         * guard page before its data has no header. */
        fmt_str(out, access->func && record->guard != BLOCK_GUARD_BEFORE
                          ? " before its start, in its header"
                          : " before its start");
    } else if (!(inside && record->freed)) {
        fmt_str(out, ", ");
        put_bytes(out, end > p + record->size ? end - (p + record->size)
                                               : access->start -
                                                     (p + record->size));
        fmt_str(out, " past its end");
    }
    if (record->freed)
        fmt_str(out, ", which was freed already");
    writer_message_end(&w);
    writer_rerun(&w, record->serial);
    report_finish(&w, func, check);
}
