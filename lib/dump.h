/* SPDX-License-Identifier: MIT */
/*
 * dump.h -- the dump of a debug block in CPython's
 * _PyObject_DebugDumpAddress layout, read through checked copies.
 */
#ifndef DEADBYTE_DUMP_H
#define DEADBYTE_DUMP_H

#include "fmt.h"

#include <stdbool.h>
#include <stddef.h>

/* "'m' (deadbyte_mem_malloc)", or "'\xdd' (not an API id of deadbyte)". */
void dump_api(struct fmt *out, unsigned char id);

/* What dump_block() saw: the index of the first bad leading pad byte,
 * counted down from p (p-1 is 1), and of the first bad trailing pad byte
 * (tail+0 is 0); -1 when none. */
struct dump_findings {
    int bad_lead;
    int bad_tail;
    size_t header_size; /* the size field as found */
    unsigned char header_api;
};

/*
 * Dump the block at P, whose true size and serial number (from the
 * registry) are SIZE and SERIAL (0: not known): header, pads, serial,
 * data.  A size field or serial field that disagrees with them is said
 * so, and SIZE and SERIAL are what is used.  Ends with a blank line.
 */
void dump_block(struct fmt *out, const unsigned char *p, size_t size,
                bool with_serial, size_t serial,
                struct dump_findings *found);

/*
 * Dump the block of RECORD as dump_block() does, or, for a block with a
 * guard page (--guard-pages), with the page in place of its trailing pad
 * or of its header, whose API id and size are then the record's.
 */
struct block_record;
void dump_record(struct fmt *out, const struct block_record *record,
                 bool with_serial, struct dump_findings *found);

/*
 * The dump of a freed block, which the quarantine still holds: its header
 * is DEADBYTE too, so the size and API come from RECORD.  Lists the bytes
 * that are no longer DEADBYTE (a write after free); returns how many, and
 * the offset from p of the first in *FIRST.
 */
size_t dump_freed(struct fmt *out, const struct block_record *record,
                  bool with_serial, ptrdiff_t *first);

/* "    Data at p: cd cd ... cd" -- 8 bytes, " ...", the last 8. */
void dump_data(struct fmt *out, const unsigned char *p, size_t n);

#endif
