/* SPDX-License-Identifier: MIT */
/*
 * dump.c -- the block dump of a report, line for line CPython's
 * _PyObject_DebugDumpAddress so that its readers recognise it, with the
 * API named in words.  Every byte is read through safe_read(): the
 * block may be damaged, or not a block at all.
 */
#include "config.h"

#include "dump.h"

#include "api.h"
#include "block.h"
#include "options.h"
#include "safe_read.h"

static bool
printable(unsigned char c)
{
    return c >= 0x20 && c < 0x7f;
}

void
dump_api(struct fmt *out, unsigned char id)
{
    fmt_char(out, '\'');
    if (printable(id)) {
        fmt_char(out, (char)id);
    } else {
        fmt_str(out, "\\x");
        fmt_hex2(out, id);
    }
    fmt_str(out, "' (");
    const char *name = api_alloc_name((char)id);
    fmt_str(out, name ? name : "not an API id of deadbyte");
    fmt_char(out, ')');
}

/*
 * The pad-byte lines for COUNT BYTES: CPython's wording, one line per byte
 * when any is wrong.  Leading pads are listed from p-(S-1) up to p-1, as
 * CPython does.  Returns the index of the first bad byte, or -1.
 */
static int
put_pads(struct fmt *out, const unsigned char *bytes, size_t count,
         bool leading)
{
    int first_bad = -1;
    for (size_t i = 0; i < count; i++)
        if (bytes[i] != FORBIDDENBYTE && first_bad < 0)
            first_bad = (int)i;
    if (first_bad < 0) {
        fmt_str(out, "FORBIDDENBYTE, as expected.\n");
        return -1;
    }
    fmt_str(out, "not all FORBIDDENBYTE (0x");
    fmt_hex2(out, FORBIDDENBYTE);
    fmt_str(out, "):\n");
    for (size_t i = 0; i < count; i++) {
        fmt_str(out, leading ? "        at p-" : "        at tail+");
        fmt_dec(out, leading ? count - i : i);
        fmt_str(out, ": 0x");
        fmt_hex2(out, bytes[i]);
        if (bytes[i] != FORBIDDENBYTE)
            fmt_str(out, " *** OUCH");
        fmt_char(out, '\n');
    }
    return first_bad;
}

void
dump_data(struct fmt *out, const unsigned char *p, size_t n)
{
    unsigned char head[8], tail[8];
    size_t head_len = n < 8 ? n : 8;
    size_t tail_len = n - head_len < 8 ? n - head_len : 8;
    fmt_str(out, "    Data at p:");
    if (!safe_read(head, p, head_len) ||
        !safe_read(tail, p + n - tail_len, tail_len)) {
        fmt_str(out, " <unreadable>\n");
        return;
    }
    for (size_t i = 0; i < head_len; i++) {
        fmt_char(out, ' ');
        fmt_hex2(out, head[i]);
    }
    if (n > 16)
        fmt_str(out, " ...");
    for (size_t i = 0; i < tail_len; i++) {
        fmt_char(out, ' ');
        fmt_hex2(out, tail[i]);
    }
    fmt_char(out, '\n');
}

/*
 * CPython's "The block was made by call #N" line, N being the number
 * deadbyte recorded (RECORDED; 0 if unknown) rather than the block's copy
 * FIELD: an overflow of more than the pad, or a wild write, overwrites
 * that, and its bytes read as a number are no call's.  Says so when they
 * differ, and whether the damage came through the pad (PAD_DAMAGED).
 */
static void
put_serial(struct fmt *out, size_t field, size_t recorded, bool pad_damaged)
{
    if (recorded == 0 || field == recorded) {
        fmt_str(out, "    The block was made by call #");
        fmt_dec(out, recorded ? recorded : field);
        fmt_str(out, " to debug malloc/realloc.\n");
        return;
    }
    fmt_str(out, pad_damaged ? "    The damage runs through the pad into "
                               "the serial number at tail+"
                             : "    The serial number at tail+");
    fmt_dec(out, SST);
    fmt_str(out, pad_damaged ? ": it reads 0x" : " is damaged: it reads 0x");
    fmt_hex(out, field);
    fmt_str(out, ", not the ");
    fmt_dec(out, recorded);
    fmt_str(out, " deadbyte wrote there.\n    The block was made by call #");
    fmt_dec(out, recorded);
    fmt_str(out, " to debug malloc/realloc (deadbyte's record of it).\n");
}

/*
 * "Debug memory block at address p=...", then the header of the block at
 * P, whose true size is SIZE: API id, size field, leading pad.  False,
 * after saying so, if the header cannot be read.
 */
static bool
put_header(struct fmt *out, const unsigned char *p, size_t size,
           struct dump_findings *found)
{
    unsigned char header[2 * SST];
    fmt_str(out, "Debug memory block at address p=");
    fmt_ptr(out, p);
    if (!safe_read(header, p - 2 * SST, sizeof header)) {
        fmt_str(out, ": the header is unreadable\n");
        return false;
    }
    found->header_api = header[SST];
    found->header_size = block_get_be(header);
    fmt_str(out, ": API ");
    dump_api(out, header[SST]);
    fmt_str(out, "\n    ");
    fmt_dec(out, found->header_size);
    fmt_str(out, " bytes originally requested\n");

    fmt_str(out, "    The ");
    fmt_dec(out, SST - 1);
    fmt_str(out, " pad bytes at p-");
    fmt_dec(out, SST - 1);
    fmt_str(out, " are ");
    int bad = put_pads(out, header + SST + 1, SST - 1, true);
    if (bad >= 0) {
        fmt_str(out, "    Because memory is corrupted at the start, the "
                     "count of bytes requested\n"
                     "       may be bogus; deadbyte uses the size it "
                     "recorded instead.\n");
        found->bad_lead = (int)(SST - 1) - bad;
    }
    if (found->header_size != size) {
        fmt_str(out, "    The size field is wrong: deadbyte recorded ");
        fmt_dec(out, size);
        fmt_str(out, " bytes for this block.\n");
    }
    return true;
}

void
dump_block(struct fmt *out, const unsigned char *p, size_t size,
           bool with_serial, size_t serial, struct dump_findings *found)
{
    found->bad_lead = found->bad_tail = -1;
    if (!put_header(out, p, size, found)) {
        fmt_char(out, '\n');
        found->header_size = 0;
        found->header_api = 0;
        return;
    }

    unsigned char trailer[2 * SST];
    fmt_str(out, "    The ");
    fmt_dec(out, SST);
    fmt_str(out, " pad bytes at tail=");
    fmt_ptr(out, p + size);
    fmt_str(out, " are ");
    if (!safe_read(trailer, p + size, with_serial ? 2 * SST : SST)) {
        fmt_str(out, "unreadable.\n");
    } else {
        found->bad_tail = put_pads(out, trailer, SST, false);
        if (with_serial)
            put_serial(out, block_get_be(trailer + SST), serial,
                       found->bad_tail >= 0);
    }
    if (size > 0)
        dump_data(out, p, size);
    fmt_char(out, '\n');
}

/* A block with a guard page after its data: its header, then the page. */
static void
dump_guarded_after(struct fmt *out, const struct block_record *record,
                   struct dump_findings *found)
{
    const unsigned char *p = (const unsigned char *)record->p;
    put_header(out, p, record->size, found);
    size_t gap = block_guarded_gap(record->p, record->size,
                                   (size_t)getpagesize());
    unsigned char pad[16];
    if (gap > 0) {
        fmt_str(out, "    The ");
        fmt_dec(out, gap);
        fmt_str(out, " pad bytes at tail=");
        fmt_ptr(out, p + record->size);
        fmt_str(out, " are ");
        if (!safe_read(pad, p + record->size, gap))
            fmt_str(out, "unreadable.\n");
        else
            found->bad_tail = put_pads(out, pad, gap, false);
    }
    fmt_str(out, "    A guard page follows at ");
    fmt_ptr(out, p + record->size + gap);
    fmt_str(out, " (--guard-pages): it stands for the rest of the "
                 "trailing pad.\n");
}

/* The first two lines of the dump of a block whose API id and size come
 * from its RECORD, not its header: "Debug memory block at address
 * p=0x...: API 'r' (malloc)WHAT" and "    N bytes originally requested". */
static void
put_recorded_title(struct fmt *out, const struct block_record *record,
                   const char *what)
{
    fmt_str(out, "Debug memory block at address p=");
    fmt_ptr(out, (const void *)record->p);
    fmt_str(out, ": API ");
    dump_api(out, (unsigned char)record->api);
    fmt_str(out, what);
    fmt_str(out, "\n    ");
    fmt_dec(out, record->size);
    fmt_str(out, " bytes originally requested\n");
}

/* A block with a guard page before its data: the page, then its pad. */
static void
dump_guarded_before(struct fmt *out, const struct block_record *record,
                    bool with_serial, struct dump_findings *found)
{
    const unsigned char *p = (const unsigned char *)record->p;
    put_recorded_title(out, record, "");
    fmt_str(out, "    The data starts right after a guard page "
                 "(--guard-pages,underflow): no header.\n");
    unsigned char trailer[2 * SST];
    fmt_str(out, "    The ");
    fmt_dec(out, SST);
    fmt_str(out, " pad bytes at tail=");
    fmt_ptr(out, p + record->size);
    fmt_str(out, " are ");
    if (!safe_read(trailer, p + record->size, with_serial ? 2 * SST : SST)) {
        fmt_str(out, "unreadable.\n");
        return;
    }
    found->bad_tail = put_pads(out, trailer, SST, false);
    if (with_serial)
        put_serial(out, block_get_be(trailer + SST), record->serial,
                   found->bad_tail >= 0);
}

void
dump_record(struct fmt *out, const struct block_record *record,
            bool with_serial, struct dump_findings *found)
{
    if (record->guard == BLOCK_GUARD_NONE) {
        dump_block(out, (const unsigned char *)record->p, record->size,
                   with_serial, record->serial, found);
        return;
    }
    found->bad_lead = found->bad_tail = -1;
    found->header_size = record->size;
    found->header_api = (unsigned char)record->api;
    if (record->guard == BLOCK_GUARD_AFTER)
        dump_guarded_after(out, record, found);
    else
        dump_guarded_before(out, record, with_serial, found);
    if (record->serial != 0 && record->guard == BLOCK_GUARD_AFTER) {
        fmt_str(out, "    The block was made by call #");
        fmt_dec(out, record->serial);
        fmt_str(out, " to debug malloc/realloc.\n");
    }
    if (record->size > 0)
        dump_data(out, (const unsigned char *)record->p, record->size);
    fmt_char(out, '\n');
}

/*
 * The dump of a freed block, which the quarantine still holds: its header
 * is DEADBYTE too, so the size and API come from the registry.  Lists the
 * bytes that are no longer DEADBYTE (a write after free); returns how
 * many, and the offset from p of the first in *FIRST.
 */
size_t
dump_freed(struct fmt *out, const struct block_record *record,
           bool with_serial, ptrdiff_t *first)
{
    const unsigned char *p = (const unsigned char *)record->p;
    size_t end = record->size + block_trailer_size(with_serial);
    put_recorded_title(out, record, ", freed");
    if (record->guard != BLOCK_GUARD_NONE) {
        /* Not filled: its pages cannot be read or written at all. */
        fmt_str(out, "    Its pages are PROT_NONE while it is in the "
                     "quarantine (--guard-pages).\n");
        if (record->serial) {
            fmt_str(out, "    The block was made by call #");
            fmt_dec(out, record->serial);
            fmt_str(out, " to debug malloc/realloc.\n");
        }
        fmt_char(out, '\n');
        return 0;
    }
    /* A large block was filled, and is compared, at its ends only. */
    size_t fill_end = block_fill_end(record->size, options.fill_limit);
    if (fill_end < record->size) {
        fmt_str(out, "    Only the first and last ");
        fmt_dec(out, fill_end);
        fmt_str(out, " bytes of its data were filled (--fill-limit).\n");
    }
    fmt_str(out, "    The block was filled with DEADBYTE (0xdd) when it was "
                 "freed");
    size_t changed = 0;
    /* Read a page at a time (a system call per byte took 12 s for an 8
     * MiB block); chunks end at page boundaries, so a chunk that cannot
     * be read is a page that is not there, skipped whole. */
    const unsigned char *base = p - record->offset;
    size_t total = record->offset + end;
    unsigned char chunk[4096];
    /* The middle of a large block's data, which the free did not fill. */
    size_t skip_from = record->offset + fill_end;
    size_t skip_to = record->offset + record->size - fill_end;
    for (size_t done = 0; done < total;) {
        if (fill_end < record->size && done >= skip_from && done < skip_to)
            done = skip_to;
        size_t to_boundary =
            sizeof chunk - ((uintptr_t)(base + done) & (sizeof chunk - 1));
        size_t n = total - done < to_boundary ? total - done : to_boundary;
        if (fill_end < record->size && done < skip_from &&
            n > skip_from - done)
            n = skip_from - done;
        bool readable = safe_read(chunk, base + done, n);
        for (size_t j = 0; readable && j < n; j++) {
            if (chunk[j] == DEADBYTE)
                continue;
            ptrdiff_t at = (ptrdiff_t)(done + j) - (ptrdiff_t)record->offset;
            if (changed == 0) {
                *first = at;
                fmt_str(out, "; these bytes changed since:\n");
            }
            if (++changed <= 16) {
                fmt_str(out, at < 0 ? "        at p-" : "        at p+");
                fmt_dec(out, (uintmax_t)(at < 0 ? -at : at));
                fmt_str(out, ": 0x");
                fmt_hex2(out, chunk[j]);
                fmt_str(out, " *** OUCH\n");
            }
        }
        done += n;
    }
    if (changed == 0)
        fmt_str(out, ", and deadbyte's quarantine still holds it.\n");
    if (changed > 16) {
        fmt_str(out, "        ... and ");
        fmt_dec(out, changed - 16);
        fmt_str(out, " more\n");
    }
    if (record->serial) {
        fmt_str(out, "    The block was made by call #");
        fmt_dec(out, record->serial);
        fmt_str(out, " to debug malloc/realloc.\n");
    }
    if (record->size > 0)
        dump_data(out, p, record->size);
    fmt_char(out, '\n');
    return changed;
}
