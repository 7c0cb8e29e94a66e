/* SPDX-License-Identifier: MIT */
/*
 * render_machine.c -- the machine formats' one door: --format=json or
 * --format=sarif, streamed record by record (render_json.c,
 * render_sarif.c), and the totals of a run for them.
 */
#include "config.h"

#include "render_machine.h"

#include "options.h"

#include <inttypes.h>
#include <stdlib.h>

void
machine_begin(struct machine_out *m, FILE *out, int format)
{
    m->out = out;
    m->format = format;
    if (format == FORMAT_SARIF)
        sarif_begin(out);
}

void
machine_record(struct machine_out *m, const struct record *r)
{
    if (m->format == FORMAT_SARIF)
        sarif_record(m->out, r);
    else
        json_record(m->out, r);
}

void
machine_text_file(struct machine_out *m, const struct report_file *f)
{
    if (m->format == FORMAT_JSON)
        json_text_file(m->out, f);
}

void
machine_end(struct machine_out *m, const struct machine_summary *s)
{
    if (m->format == FORMAT_SARIF)
        sarif_end(m->out, s);
    else
        json_end(m->out, s);
    fflush(m->out);
}

/* A decimal field of R, or 0. */
static size_t
number(const struct record *r, enum record_field id)
{
    const char *s = r->field[id];
    return s ? (size_t)strtoumax(s, NULL, 10) : 0;
}

void
machine_summary_count(const struct report_file *files, size_t n,
                      struct machine_summary *s)
{
    static const bool is_error[] = {
#define KIND_ERROR(id, name, error, suppress, title, help) error,
        RECORD_KINDS(KIND_ERROR)
#undef KIND_ERROR
    };
    *s = (struct machine_summary){0};
    for (size_t i = 0; i < n; i++) {
        bool had_error = false;
        for (size_t j = 0; j < files[i].n_records; j++) {
            const struct record *r = &files[i].records[j];
            if (r->kind >= RECORD_N_KINDS)
                continue;
            if (is_error[r->kind]) {
                s->errors++;
                s->errors_by_kind[r->kind]++;
                had_error = true;
            }
            if (r->kind == RECORD_LEAK || r->kind == RECORD_INDIRECT_LEAK) {
                s->leaked_bytes += number(r, RECORD_FIELD_LEAK_BYTES);
                s->leaked_blocks += number(r, RECORD_FIELD_LEAK_BLOCKS);
            }
        }
        /* One report file per process (an exec keeps its file). */
        s->processes += had_error;
    }
}

static void
render_all(const struct report_file *files, size_t n,
           const struct machine_summary *summary, FILE *out, int format)
{
    struct machine_out m;
    machine_begin(&m, out, format);
    for (size_t i = 0; i < n; i++) {
        if (files[i].is_text)
            machine_text_file(&m, &files[i]);
        for (size_t j = 0; j < files[i].n_records; j++)
            machine_record(&m, &files[i].records[j]);
    }
    machine_end(&m, summary);
}

void
render_json(const struct report_file *files, size_t n,
            const struct machine_summary *summary, FILE *out)
{
    render_all(files, n, summary, out, FORMAT_JSON);
}

void
render_sarif(const struct report_file *files, size_t n,
             const struct machine_summary *summary, FILE *out)
{
    render_all(files, n, summary, out, FORMAT_SARIF);
}
