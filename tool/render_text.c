/* SPDX-License-Identifier: MIT */
/*
 * render_text.c -- records as the text a person reads: each item of a
 * record as the library writes it without the launcher (lib/record.h's
 * table of items), the frames with the function, file and line the
 * symbolizer found.
 */
#include "config.h"

#include "render.h"

#include "frames.h"
#include "symbolize.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* A PC as the library's fmt_ptr writes it. */
static void
format_pc(char *buf, size_t size, uint64_t pc)
{
    if (pc == 0)
        snprintf(buf, size, "(nil)");
    else
        snprintf(buf, size, "0x%" PRIx64, pc);
}

static const char *
field_or(const struct record *r, enum record_field id, const char *def)
{
    const char *v = record_field(r, id);
    return v && *v ? v : def;
}

void
render_text_process(FILE *out, const struct record *r, const struct item *item)
{
    fprintf(out, "deadbyte: %s in process %s (%s):\n", item->value,
            field_or(r, RECORD_FIELD_PID, "?"),
            field_or(r, RECORD_FIELD_ARGV0, "?"));
}

/* A frame as the process wrote it, before symbolization. */
static void
put_unsymbolized(FILE *out, int number, const char *pc, const struct frame *f)
{
    fprintf(out, "  #%d %s in ", number, pc);
    if (!*f->module) {
        fputs("?? (unknown module)\n", out);
        return;
    }
    if (*f->symbol)
        fprintf(out, "%s+0x%" PRIx64, f->symbol, f->symbol_offset);
    else
        fputs("??", out);
    fprintf(out, " (%s+0x%" PRIx64 ")%s\n", f->module, f->offset,
            f->fault ? FRAMES_FAULT_MARK : "");
}

static void
put_trace(FILE *out, const struct trace *t)
{
    fprintf(out, "%s (most recent call first):\n", t->title);
    if (t->unrecorded)
        fprintf(out, "  (not recorded: %s)\n", t->unrecorded);
    int number = 0;
    for (size_t i = 0; i < t->n_frames; i++) {
        const struct frame *f = &t->frames[i];
        char pc[32];
        format_pc(pc, sizeof pc, f->pc);
        if (f->n_symbols == 0) {
            put_unsymbolized(out, number++, pc, f);
            continue;
        }
        for (size_t k = 0; k < f->n_symbols; k++)
            symbolize_put(out, number++, pc, &f->symbols[k]);
    }
    if (t->ended)
        fputc('\n', out);
}

void
render_text_record(FILE *out, const struct record *r, bool show_process)
{
    for (size_t i = 0; i < r->n_items; i++) {
        const struct item *it = &r->items[i];
        if (it->is_message) {
            fprintf(out, "deadbyte: %s\n", it->value);
            continue;
        }
        switch (it->tag) {
        case RECORD_ITEM_PROCESS:
            if (show_process)
                render_text_process(out, r, it);
            break;
        case RECORD_ITEM_TEXT:
            fprintf(out, "%s\n", it->value);
            break;
        case RECORD_ITEM_TRACE:
            put_trace(out, it->trace);
            break;
        case RECORD_ITEM_RERUN: {
            /* The item's serial; the field's from a library before it. */
            uint64_t serial = it->value
                                  ? strtoull(it->value, NULL, 10)
                                  : record_field_u64(r, RECORD_FIELD_SERIAL, 0);
            const char *command = field_or(r, RECORD_FIELD_COMMAND, NULL);
            if (serial == 0)
                fputs(RECORD_NO_SERIAL_WORDS "\n", out);
            else
                fprintf(out, RECORD_RERUN_WORDS "%" PRIu64 "%s%s\n", serial,
                        command ? " " : "", command ? command : "");
            break;
        }
        case RECORD_ITEM_FATAL: {
            const char *detail = field_or(r, RECORD_FIELD_DETAIL, NULL);
            fprintf(out, "Fatal error: %s: %s%s%s\n",
                    field_or(r, RECORD_FIELD_FUNCTION, "?"),
                    field_or(r, RECORD_FIELD_CHECK, "?"), detail ? ": " : "",
                    detail ? detail : "");
            break;
        }
        default:
            break;
        }
    }
}

void
render_text_file(FILE *out, const struct report_file *file)
{
    if (!file->is_text) {
        /* Every leak group names its process; the text, once. */
        bool leak_process_shown = false;
        for (size_t i = 0; i < file->n_records; i++) {
            const struct record *r = &file->records[i];
            bool group = record_kind_is_leak_group(r->kind);
            render_text_record(out, r, !group || !leak_process_shown);
            leak_process_shown |= group;
        }
        return;
    }
    /* A text report: its lines, symbolized one by one. */
    symbolize_restart();
    const char *s = file->text, *end = file->text + file->text_len;
    char *line = NULL;
    size_t cap = 0;
    while (s < end) {
        const char *lf = memchr(s, '\n', (size_t)(end - s));
        size_t len = lf ? (size_t)(lf - s) + 1 : (size_t)(end - s);
        if (len + 1 > cap) {
            char *grown = realloc(line, len + 1);
            if (!grown)
                break;
            line = grown;
            cap = len + 1;
        }
        memcpy(line, s, len);
        line[len] = '\0';
        symbolize_line(line, out);
        s += len;
    }
    free(line);
}
