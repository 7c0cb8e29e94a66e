/* SPDX-License-Identifier: MIT */
/*
 * records.h -- the records of a report file (lib/record.h), read back by
 * the launcher: each as its kind, its fields, and its items in the order
 * the text shows them, with every frame symbolized once.
 */
#ifndef DEADBYTE_RECORDS_H
#define DEADBYTE_RECORDS_H

#include "record.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One function of a frame, as the debug information tells it: the
 * innermost inlined function first, the real one last. */
struct symbol {
    char *function; /* demangled and qualified: store::Buffer<char>::fill(char) */
    char *file;     /* NULL when unknown */
    int line;       /* 0 when unknown */
    int column;     /* 0 when unknown */
};

struct frame {
    uint64_t pc;
    char *module;   /* absolute path; "" when unknown */
    uint64_t offset; /* from the module's load address */
    char *build_id; /* hexadecimal; "" when unknown */
    char *symbol;   /* what dladdr said in the process; "" when nothing */
    uint64_t symbol_offset;
    bool fault;     /* the instruction itself, not a return address */
    /* After records_symbolize(): the functions at the frame, innermost
     * inlined one first; none when the debug information and the symbol
     * tables know nothing of it.  They belong to the symbolizer's cache
     * (tool/symbolize.c), which lives as long as the launcher. */
    const struct symbol *symbols;
    size_t n_symbols;
};

struct trace {
    char *role;  /* alloc, free, call, fault */
    char *title; /* "Memory block allocated at" */
    struct frame *frames;
    size_t n_frames;
    char *unrecorded; /* why there are no frames, or NULL */
    bool ended;       /* its trace-end came (not cut short) */
};

/* An item: what the text shows, in order. */
struct item {
    enum record_item tag; /* RECORD_ITEM_MESSAGE is not an item tag:  */
    bool is_message;      /* the message field, where it came (then TAG
                           * is RECORD_N_ITEMS) */
    char *value;          /* PROCESS: WHAT; TEXT: the line; MESSAGE;
                           * RERUN: the serial (NULL: the field's) */
    struct trace *trace;  /* TRACE */
};

struct record {
    enum record_kind kind; /* RECORD_NOTE for a kind this launcher does
                            * not know (a newer library's) */
    char *kind_name;       /* as written */
    bool complete;         /* its "end" came: not cut short */
    char *field[RECORD_N_FIELDS]; /* as written; NULL when absent */
    struct item *items;
    size_t n_items;
    struct trace **traces; /* the items' traces, in order */
    size_t n_traces;
};

/* The records of one report file, and what else it held. */
struct report_file {
    char *path;
    struct record *records;
    size_t n_records;
    /* A report written as text (a library older than the records, or
     * DEADBYTE_LOG_FILE kept by a user): its lines, for
     * `deadbyte symbolize` and the text format. */
    bool is_text;
    char *text;
    size_t text_len;
};

/*
 * Read the report file F.  Returns 0, or -1 after a message on standard
 * error (no memory).  A file without RECORD_MAGIC is read as text.  A
 * record cut short (its process was killed while writing it) is kept as
 * far as it goes.  A record begun inside another (a second error, a note
 * written while statistics were) comes after it in RECORDS, whole; the
 * outer one takes the lines after the inner one's end, if any come.
 */
int records_read(FILE *f, const char *path, struct report_file *out);
void records_free(struct report_file *file);

/* The field ID of RECORD, or NULL; as a number, or DEFAULT. */
const char *record_field(const struct record *r, enum record_field id);
uint64_t record_field_u64(const struct record *r, enum record_field id,
                          uint64_t def);

/* The tag of field ID ("leak-bytes"). */
const char *record_field_tag(enum record_field id);

/* The kind named NAME ("double-free"), into *KIND; false if none. */
bool record_kind_by_name(const char *name, enum record_kind *kind);

/* Is KIND a leak check's group of blocks (leak, indirect-leak,
 * still-reachable)?  Each names its process; the text shows that line
 * once, before the first group shown. */
bool record_kind_is_leak_group(enum record_kind kind);

/* The table of kinds. */
const char *record_kind_name(enum record_kind kind);
bool record_kind_is_error(enum record_kind kind);
const char *record_kind_suppression(enum record_kind kind);
const char *record_kind_title(enum record_kind kind);
const char *record_kind_help(enum record_kind kind);

/* Symbolize every frame of FILE's records (tool/symbolize.c). */
void records_symbolize(struct report_file *file);

#endif
