/* SPDX-License-Identifier: MIT */
/*
 * render_records.c -- the machine renderers (tool/render_json.c,
 * tool/render_sarif.c) on hand-written record files, without a program
 * run or a symbolizer:
 *
 *     render_records json|sarif [--exit-status N] [--suppressed N] FILE...
 *
 * Its own small reader of lib/record.h's encoding (the launcher's is
 * tool/records.c) knows one more tag, for the tests only: "x-symbol
 * FUNCTION FILE LINE COLUMN" after a frame adds a function to that frame,
 * as the symbolizer would (innermost first; FILE "" for none).
 */
#include "config.h"

#include "render_machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
grow(void *p, size_t n, size_t size)
{
    p = realloc(p, n * size);
    if (!p) {
        perror("render_records");
        exit(99);
    }
    return p;
}

static char *
copy(const char *s)
{
    char *c = strdup(s);
    if (!c) {
        perror("render_records");
        exit(99);
    }
    return c;
}

/* Undo the escapes of a value in place: \\ \t \n. */
static char *
unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r == '\\' && r[1]) {
            r++;
            *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return s;
}

/* Split LINE at its tabs into at most MAX values. */
static size_t
split(char *line, char **v, size_t max)
{
    size_t n = 0;
    while (n < max) {
        v[n++] = line;
        char *tab = strchr(line, '\t');
        if (!tab)
            break;
        *tab = '\0';
        line = tab + 1;
    }
    for (size_t i = 0; i < n; i++)
        unescape(v[i]);
    return n;
}

static const char *const kind_names[] = {
#define KIND_NAME(id, name, error, suppress, title, help) name,
    RECORD_KINDS(KIND_NAME)
#undef KIND_NAME
};
static const char *const field_tags[] = {
#define FIELD_TAG(id, tag, type, meaning) tag,
    RECORD_FIELDS(FIELD_TAG)
#undef FIELD_TAG
};
static const char *const item_tags[] = {
#define ITEM_TAG(id, tag, meaning) tag,
    RECORD_ITEMS(ITEM_TAG)
#undef ITEM_TAG
};

static void
add_item(struct record *r, enum record_item tag, bool is_message,
         const char *value)
{
    r->items = grow(r->items, r->n_items + 1, sizeof *r->items);
    r->items[r->n_items++] = (struct item){tag, is_message,
                                           value ? copy(value) : NULL, NULL};
}

static void
read_file(const char *path, struct report_file *out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(99);
    }
    *out = (struct report_file){.path = copy(path)};
    char line[65536];
    struct record *r = NULL;
    struct trace *t = NULL;
    bool magic = false;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!magic) {
            if (strcmp(line, RECORD_MAGIC) != 0) {
                fprintf(stderr, "%s: not a record file\n", path);
                exit(99);
            }
            magic = true;
            continue;
        }
        char *v[10];
        size_t n = split(line, v, 10);
        if (strcmp(v[0], "record") == 0 && n >= 2) {
            size_t k = 0;
            while (k < RECORD_N_KINDS && strcmp(kind_names[k], v[1]) != 0)
                k++;
            out->records = grow(out->records, out->n_records + 1,
                                sizeof *out->records);
            r = &out->records[out->n_records++];
            /* A kind it does not know is a note, as tool/records.c
             * reads it. */
            *r = (struct record){.kind = k < RECORD_N_KINDS
                                             ? (enum record_kind)k
                                             : RECORD_NOTE};
            t = NULL;
            continue;
        }
        if (!r)
            continue;
        if (strcmp(v[0], "end") == 0) {
            r = NULL;
            continue;
        }
        if (strcmp(v[0], "x-symbol") == 0 && n >= 5 && t && t->n_frames) {
            struct frame *fr = &t->frames[t->n_frames - 1];
            /* A new array (the launcher's are its symbolizer's, const):
             * the old one is left, as all memory here, to the exit. */
            struct symbol *symbols =
                grow(NULL, fr->n_symbols + 1, sizeof *symbols);
            if (fr->n_symbols)
                memcpy(symbols, fr->symbols, fr->n_symbols * sizeof *symbols);
            symbols[fr->n_symbols] = (struct symbol){
                copy(v[1]), *v[2] ? copy(v[2]) : NULL, atoi(v[3]), atoi(v[4])};
            fr->symbols = symbols;
            fr->n_symbols++;
            continue;
        }
        size_t id = 0;
        while (id < RECORD_N_FIELDS && strcmp(field_tags[id], v[0]) != 0)
            id++;
        if (id < RECORD_N_FIELDS) {
            /* "bytes" holds a tab of its own. */
            if (id == RECORD_FIELD_BYTES && n >= 3)
                v[2][-1] = '\t';
            r->field[id] = copy(n >= 2 ? v[1] : "");
            if (id == RECORD_FIELD_MESSAGE)
                add_item(r, RECORD_ITEM_TEXT, true, r->field[id]);
            continue;
        }
        size_t item = 0;
        while (item < RECORD_N_ITEMS && strcmp(item_tags[item], v[0]) != 0)
            item++;
        if (item == RECORD_N_ITEMS)
            continue; /* a tag it does not know */
        add_item(r, (enum record_item)item, false, n >= 2 ? v[1] : NULL);
        struct item *it = &r->items[r->n_items - 1];
        if (item == RECORD_ITEM_TRACE && n >= 3) {
            t = calloc(1, sizeof *t);
            if (!t)
                exit(99);
            t->role = copy(v[1]);
            t->title = copy(v[2]);
            it->trace = t;
            r->traces = grow(r->traces, r->n_traces + 1, sizeof *r->traces);
            r->traces[r->n_traces++] = t;
        } else if (item == RECORD_ITEM_FRAME && n >= 8 && t) {
            t->frames = grow(t->frames, t->n_frames + 1, sizeof *t->frames);
            t->frames[t->n_frames++] = (struct frame){
                strtoull(v[1], NULL, 16), copy(v[2]), strtoull(v[3], NULL, 16),
                copy(v[4]), copy(v[5]), strtoull(v[6], NULL, 16),
                strcmp(v[7], "fault") == 0, NULL, 0};
        } else if (item == RECORD_ITEM_UNRECORDED && n >= 2 && t) {
            t->unrecorded = copy(v[1]);
        } else if (item == RECORD_ITEM_TRACE_END) {
            t = NULL;
        }
    }
    fclose(f);
}

int
main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[1], "json") != 0 &&
                     strcmp(argv[1], "sarif") != 0)) {
        fprintf(stderr, "usage: render_records json|sarif [--exit-status N] "
                        "[--suppressed N] FILE...\n");
        return 99;
    }
    int at = 2;
    bool has_status = false;
    int status = 0;
    size_t suppressed = 0;
    for (; at + 1 < argc && strncmp(argv[at], "--", 2) == 0; at += 2) {
        if (strcmp(argv[at], "--exit-status") == 0) {
            has_status = true;
            status = atoi(argv[at + 1]);
        } else if (strcmp(argv[at], "--suppressed") == 0) {
            suppressed = (size_t)atol(argv[at + 1]);
        }
    }
    size_t n = (size_t)(argc - at);
    struct report_file *files = calloc(n ? n : 1, sizeof *files);
    if (!files)
        return 99;
    for (size_t i = 0; i < n; i++)
        read_file(argv[at + (int)i], &files[i]);
    struct machine_summary summary;
    machine_summary_count(files, n, &summary);
    summary.suppressed = suppressed;
    summary.has_exit_status = has_status;
    summary.exit_status = status;
    if (argv[1][0] == 'j')
        render_json(files, n, &summary, stdout);
    else
        render_sarif(files, n, &summary, stdout);
    return fflush(stdout) == 0 ? 0 : 99;
}
