/* SPDX-License-Identifier: MIT */
/*
 * writer.h -- the one writer of reports.  Every report (a fatal error, a
 * leak group, statistics, a note) is written as one record of
 * lib/record.h through these calls, in the order a person reads it:
 * without the launcher as that text (CPython's layout, unchanged), to
 * DEADBYTE_LOG_FILE or standard error; under the launcher as the
 * record's encoding, to this process's report file, for the launcher to
 * render as text, JSON or SARIF.
 *
 * No malloc, no stdio, no lock the program could hold: it runs inside
 * the allocator, on a heap that may be damaged.  One thread writes a
 * record at a time; a thread that starts one inside its own (its
 * re-entry) writes the inner one whole, and the outer is cut short.
 */
#ifndef DEADBYTE_WRITER_H
#define DEADBYTE_WRITER_H

#include "fmt.h"
#include "record.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct block_record;

struct writer {
    struct fmt out;
    bool records;  /* the encoding of record.h, else text */
    bool close_fd; /* out.fd was opened for this record */
    bool taken;    /* this record holds the process's turn to write */
    struct writer *outer; /* the record this thread was writing, if any */
};

/*
 * Start a record of KIND on the report output: this process's report
 * file in the launcher's report directory (records), else
 * DEADBYTE_LOG_FILE, else standard error (text).  A record starts with
 * the process: its ID, its parent's, argv[0], its command line and the
 * calling thread.
 */
void writer_open(struct writer *w, enum record_kind kind);

/* Text only, to FD: deadbyte_print_stats(fd) writes where it is told. */
void writer_open_text(struct writer *w, int fd);

/* End the record, write out what is buffered, close what was opened. */
void writer_close(struct writer *w);

/* Write out what is buffered (before the process may end). */
void writer_flush(struct writer *w);

/* A field of the record (nothing in the text: the items say it). */
void writer_field(struct writer *w, enum record_field field, const char *value);
void writer_field_dec(struct writer *w, enum record_field field, uintmax_t n);
void writer_field_hex(struct writer *w, enum record_field field, uintmax_t n);

/* The fields of the block of RECORD: address, size, API, serial, ... */
void writer_block(struct writer *w, const struct block_record *record);

/* Where the first bad byte or access is, OFFSET from the data P, and
 * the bytes around it (read through checked copies). */
void writer_offset(struct writer *w, uintptr_t p, intptr_t offset);

/* Items, in the order of the text. */
/* "deadbyte: WHAT in process 1234 (./prog):" */
void writer_process(struct writer *w, const char *what);
/* Lines of text, written with fmt.h on w->out between these calls,
 * each ending with '\n'. */
void writer_text_begin(struct writer *w);
void writer_text_end(struct writer *w);
/* The one line that says what happened: "deadbyte: " and the words
 * written with fmt.h on w->out between these calls, without '\n'. */
void writer_message_begin(struct writer *w);
void writer_message_end(struct writer *w);
/* "To stop when this block is allocated, rerun with: deadbyte
 * --break-at SERIAL <this process's command>" */
void writer_rerun(struct writer *w, size_t serial);
/* "Fatal error: FUNC: CHECK[: DETAIL]" */
void writer_fatal(struct writer *w, const char *func, const char *check,
                  const char *detail);

/* A traceback is written by frames.h's frames_put_trace(). */

#endif
