/* SPDX-License-Identifier: MIT */
/*
 * report_access.c -- the report of a bad access (report_access.h): the
 * block as every report shows it (dump, allocation and free tracebacks),
 * the traceback of the access, then where the access fell, in words:
 *
 *   Bad read at (most recent call first):
 *     #0 ... in sum examples/large_overread.c:41
 *   ...
 *   deadbyte: buffer overflow: a read at p+303088 of the 300000-byte
 *   block allocated with malloc (call #1), 3088 bytes past its end
 *   Fatal error: guard page: read past the end of a block
 *
 * Like every report: write(2) only, no malloc, no stdio, no lock of
 * deadbyte's held (report.c); safe in a signal handler.
 */
#include "config.h"

#include "report_access.h"

#include "api.h"
#include "dump.h"
#include "fmt.h"
#include "frames.h"
#include "report.h"

static const char *
kind_word(enum access_kind kind)
{
    switch (kind) {
    case ACCESS_READ:
        return "read";
    case ACCESS_WRITE:
        return "write";
    case ACCESS_UNKNOWN:
        break;
    }
    return "access";
}

/* "the 16-byte block allocated with malloc (call #12)" */
static void
put_block_words(struct fmt *out, const struct block_record *record)
{
    fmt_str(out, "the ");
    fmt_dec(out, record->size);
    if (record->tracked) {
        fmt_str(out, "-byte block registered with deadbyte_track");
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

/* The block: the usual dump while it is live; once freed its header is
 * DEADBYTE too, so what the registry knows, and its data. */
static void
put_block(struct fmt *out, const struct report_access *access)
{
    const struct block_record *record = access->record;
    const unsigned char *p = (const unsigned char *)record->p;
    if (!record->freed && !record->tracked) {
        struct dump_findings found;
        dump_record(out, record, access->with_serial, &found);
        return;
    }
    fmt_str(out, "Debug memory block at address p=");
    fmt_ptr(out, p);
    fmt_str(out, ": API ");
    dump_api(out, (unsigned char)record->api);
    fmt_str(out, record->freed ? ", freed\n    " : ", tracked\n    ");
    fmt_dec(out, record->size);
    fmt_str(out, " bytes originally requested\n");
    if (record->serial) {
        fmt_str(out, "    The block was made by call #");
        fmt_dec(out, record->serial);
        fmt_str(out, " to debug malloc/realloc.\n");
    }
    if (record->freed && record->guard != BLOCK_GUARD_NONE)
        fmt_str(out, "    Its pages are PROT_NONE while it is in the "
                     "quarantine (--guard-pages).\n");
    else if (record->size > 0)
        dump_data(out, p, record->size);
    fmt_char(out, '\n');
}

void
report_bad_access(const struct report_access *access)
{
    const struct block_record *record = access->record;
    const char *kind = kind_word(access->kind);
    /* Where the access began, from p: before the block, in its data, or
     * past its end. */
    bool before = access->start < record->p;
    bool inside = !before && access->start - record->p < record->size;
    const char *check;
    if (before)
        check = "before the start of a block";
    else if (inside && record->freed)
        check = "of a freed block";
    else if (inside)
        check = "inside a block"; /* the caller was wrong to report it */
    else
        check = "past the end of a block";
    /* "read past the end of a block" */
    struct fmt what;
    fmt_open(&what, -1);
    fmt_str(&what, kind);
    fmt_char(&what, ' ');
    fmt_str(&what, check);
    what.buf[what.len] = '\0';
    const char *func = access->func ? access->func : "guard page";

    struct fmt out;
    report_begin(&out, func, what.buf);
    put_block(&out, access);
    frames_put_trace(&out, "Memory block allocated at", record->alloc_trace);
    if (record->freed)
        frames_put_trace(&out, "Memory block freed at", record->free_trace);
    /* "Bad read at", "Bad write by memcpy at" */
    struct fmt title;
    fmt_open(&title, -1);
    fmt_str(&title, "Bad ");
    fmt_str(&title, kind);
    if (access->func) {
        fmt_str(&title, " by ");
        fmt_str(&title, access->func);
    }
    fmt_str(&title, " at");
    title.buf[title.len] = '\0';
    frames_put_trace(&out, title.buf, access->call_trace);

    fmt_str(&out, "deadbyte: ");
    fmt_str(&out, before   ? "buffer underflow: "
                  : !inside ? "buffer overflow: "
                  : record->freed ? "use after free: "
                                  : "bad access: ");
    if (access->func) {
        fmt_str(&out, access->func);
        fmt_str(&out, ": ");
    }
    fmt_str(&out, access->kind == ACCESS_UNKNOWN ? "an " : "a ");
    fmt_str(&out, kind);
    if (access->len) {
        fmt_str(&out, " of ");
        fmt_dec(&out, access->len);
        fmt_str(&out, access->len == 1 ? " byte" : " bytes");
    }
    fmt_str(&out, before ? " at p-" : " at p+");
    fmt_dec(&out, before ? record->p - access->start
                         : access->start - record->p);
    fmt_str(&out, " of ");
    put_block_words(&out, record);
    if (before) {
        fmt_str(&out, ", ");
        fmt_dec(&out, record->p - access->start);
        fmt_str(&out, " bytes before its start");
    } else if (!inside) {
        fmt_str(&out, ", ");
        fmt_dec(&out, access->start - record->p - record->size);
        fmt_str(&out, " bytes past its end");
    }
    if (record->freed)
        fmt_str(&out, ", which was freed already");
    fmt_char(&out, '\n');
    report_put_rerun(&out, record->serial);
    fmt_str(&out, "Fatal error: ");
    fmt_str(&out, func);
    fmt_str(&out, ": ");
    fmt_str(&out, what.buf);
    fmt_char(&out, '\n');
    report_end(&out);
}
