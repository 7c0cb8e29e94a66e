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
#include "writer_words.h"

#include <stddef.h>

void
report_bad_access(const struct report_access *access)
{
    const struct block_record *record = access->record;
    enum access_kind kind = access->kind;
    const char *func = access->func ? access->func : "guard page";
    const char *check;
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
        check = before[kind];
        record_kind = RECORD_HEAP_BUFFER_UNDERFLOW;
    } else if (inside && record->freed) {
        check = freed[kind];
        record_kind = RECORD_USE_AFTER_FREE;
    } else {
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
    if (record->freed) {
        report_put_freed_dump(&w, record, access->with_serial);
    } else {
        struct dump_findings found;
        writer_text_begin(&w);
        dump_record(&w.out, record, access->with_serial, &found);
        writer_text_end(&w);
    }

    struct access_words words = {access->func, kind,      access->start,
                                 access->len,  record,    is_before,
                                 inside};
    struct fmt title;
    fmt_open(&title, -1);
    words_access_title(&title, &words);
    title.buf[title.len] = '\0';
    report_put_traces(&w, record, title.buf, access->call_trace);
    writer_say_access(&w, &words);
    writer_rerun(&w, record->serial);
    report_finish(&w, func, check);
}
