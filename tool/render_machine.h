/* SPDX-License-Identifier: MIT */
/*
 * render_machine.h -- the reports of a run for machines: JSON Lines
 * (--format=json, schema "deadbyte/1", deadbyte(7)) and one SARIF 2.1.0
 * log (--format=sarif), from the records the launcher read back and
 * symbolized (records.h).
 */
#ifndef DEADBYTE_RENDER_MACHINE_H
#define DEADBYTE_RENDER_MACHINE_H

#include "records.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The totals of a run, as the text summary gives them. */
struct machine_summary {
    size_t errors;                         /* findings that are errors */
    size_t errors_by_kind[RECORD_N_KINDS]; /* the same, per kind */
    size_t processes;                      /* processes with errors */
    size_t suppressed;                     /* findings left out */
    size_t leaked_bytes;                   /* definite leaks shown */
    size_t leaked_blocks;
    bool has_exit_status;
    int exit_status; /* the program's: its own, or 128+N for signal N */
};

/*
 * Count the records of FILES[0..N) into SUMMARY as the launcher does:
 * errors (by kind, and the processes they came from) and leaks (direct
 * and indirect, not still reachable).  SUPPRESSED and the exit status
 * are the caller's.
 */
void machine_summary_count(const struct report_file *files, size_t n,
                           struct machine_summary *summary);

/*
 * A run's reports, streamed: machine_begin() first, then each record
 * shown (the caller leaves out the suppressed ones) with
 * machine_record(), in order, and each report file written as text with
 * machine_text_file(); machine_end() last, with the totals.
 * Leak-summary records are left out (the summary has the totals).  A
 * file written as text becomes, in JSON, one "note" whose text is its
 * lines; SARIF has no place for it.  FORMAT is FORMAT_JSON or
 * FORMAT_SARIF (options.h).
 */
struct machine_out {
    FILE *out;
    int format;
};
void machine_begin(struct machine_out *m, FILE *out, int format);
void machine_record(struct machine_out *m, const struct record *r);
void machine_text_file(struct machine_out *m, const struct report_file *f);
void machine_end(struct machine_out *m, const struct machine_summary *s);

/* The whole of FILES[0..N), the same way. */
void render_json(const struct report_file *files, size_t n,
                 const struct machine_summary *summary, FILE *out);
void render_sarif(const struct report_file *files, size_t n,
                  const struct machine_summary *summary, FILE *out);

/* Each format's part (render_json.c, render_sarif.c). */
void json_record(FILE *out, const struct record *r);
void json_text_file(FILE *out, const struct report_file *f);
void json_end(FILE *out, const struct machine_summary *s);
void sarif_begin(FILE *out);
void sarif_record(FILE *out, const struct record *r);
void sarif_end(FILE *out, const struct machine_summary *s);

/* JSON helpers, shared by the two. */

/* S as a JSON string, quotes included: control characters escaped, and
 * each byte that is not part of valid UTF-8 as \u00XX (that byte's
 * Latin-1 character). */
void json_string(FILE *out, const char *s);
/* The first LEN bytes of S, the same way. */
void json_string_len(FILE *out, const char *s, size_t len);

#endif
