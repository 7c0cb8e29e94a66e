/* SPDX-License-Identifier: MIT */
/*
 * records.c -- read a report file back: the records lib/record.h
 * describes, one line per field or item, into struct record.  Nothing
 * here knows a sentence of the report: the tags say what each line is.
 */
#include "config.h"

#include "records.h"

#include <stdlib.h>
#include <string.h>

struct kind_row {
    const char *name, *suppression, *title, *help;
    bool error;
};

static const struct kind_row kinds[RECORD_N_KINDS] = {
#define RECORD_KIND_ROW(id, name, error, suppress, title, help)                \
    [RECORD_##id] = {name, suppress, title, help, error},
    RECORD_KINDS(RECORD_KIND_ROW)
#undef RECORD_KIND_ROW
};

static const char *const field_tags[RECORD_N_FIELDS] = {
#define RECORD_FIELD_TAG(id, tag, type, meaning) [RECORD_FIELD_##id] = tag,
    RECORD_FIELDS(RECORD_FIELD_TAG)
#undef RECORD_FIELD_TAG
};

static const char *const item_tags[RECORD_N_ITEMS] = {
#define RECORD_ITEM_TAG(id, tag, meaning) [RECORD_ITEM_##id] = tag,
    RECORD_ITEMS(RECORD_ITEM_TAG)
#undef RECORD_ITEM_TAG
};

const char *
record_kind_name(enum record_kind kind)
{
    return (unsigned)kind < RECORD_N_KINDS ? kinds[kind].name : "?";
}

bool
record_kind_is_error(enum record_kind kind)
{
    return (unsigned)kind < RECORD_N_KINDS && kinds[kind].error;
}

bool
record_kind_is_leak_group(enum record_kind kind)
{
    return kind == RECORD_LEAK || kind == RECORD_INDIRECT_LEAK ||
           kind == RECORD_STILL_REACHABLE;
}

const char *
record_kind_suppression(enum record_kind kind)
{
    return (unsigned)kind < RECORD_N_KINDS ? kinds[kind].suppression : "";
}

const char *
record_kind_title(enum record_kind kind)
{
    return (unsigned)kind < RECORD_N_KINDS ? kinds[kind].title : "";
}

const char *
record_kind_help(enum record_kind kind)
{
    return (unsigned)kind < RECORD_N_KINDS ? kinds[kind].help : "";
}

bool
record_kind_by_name(const char *name, enum record_kind *kind)
{
    for (int k = 0; k < RECORD_N_KINDS; k++)
        if (strcmp(kinds[k].name, name) == 0) {
            *kind = (enum record_kind)k;
            return true;
        }
    return false;
}

const char *
record_field_tag(enum record_field id)
{
    return (unsigned)id < RECORD_N_FIELDS ? field_tags[id] : "?";
}

const char *
record_field(const struct record *r, enum record_field id)
{
    return (unsigned)id < RECORD_N_FIELDS ? r->field[id] : NULL;
}

uint64_t
record_field_u64(const struct record *r, enum record_field id, uint64_t def)
{
    const char *s = record_field(r, id);
    if (!s || !*s)
        return def;
    /* Decimal, or hexadecimal with "0x": never octal. */
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    char *end;
    uint64_t v = strtoull(s, &end, hex ? 16 : 10);
    return *end == '\0' && end != s ? v : def;
}

/* The values of one line, unescaped in place: LINE is cut at each tab. */
#define MAX_VALUES 16

static size_t
split(char *line, char **values)
{
    size_t n = 0;
    char *s = line;
    for (;;) {
        char *tab = strchr(s, '\t');
        if (tab)
            *tab = '\0';
        if (n < MAX_VALUES)
            values[n++] = s;
        if (!tab)
            break;
        s = tab + 1;
    }
    /* "\\\\" -> '\\', "\\t" -> tab, "\\n" -> line feed; a backslash
     * before anything else stands for itself. */
    for (size_t i = 0; i < n; i++) {
        char *from = values[i], *to = values[i];
        while (*from) {
            if (from[0] == '\\' && from[1]) {
                char c = from[1];
                if (c == '\\' || c == 't' || c == 'n') {
                    *to++ = c == 't' ? '\t' : c == 'n' ? '\n' : '\\';
                    from += 2;
                    continue;
                }
            }
            *to++ = *from++;
        }
        *to = '\0';
    }
    return n;
}

/* ARRAY of N elements of SIZE, with room for one more: the room is 8,
 * then doubled each time N reaches it, so that it needs no count of its
 * own.  NULL when out of memory (ARRAY is kept). */
static void *
grow(void *array, size_t n, size_t size)
{
    if (n == 0)
        return realloc(array, 8 * size);
    if (n < 8 || (n & (n - 1)) != 0)
        return array;
    return realloc(array, 2 * n * size);
}

/* What is being read: the records open (a record begun inside another
 * -- a note written while statistics were -- is read whole, then the
 * outer one goes on), and the traceback lines go into. */
#define MAX_OPEN 8
struct reader {
    struct report_file *file;
    size_t open[MAX_OPEN]; /* indexes in file->records, innermost last */
    struct trace *trace[MAX_OPEN]; /* the open record's traceback, or NULL */
    size_t n_open;
};

static char *
dup_or_empty(char **values, size_t n, size_t i)
{
    return strdup(i < n ? values[i] : "");
}

static struct item *
add_item(struct record *r, enum record_item tag)
{
    struct item *items = grow(r->items, r->n_items, sizeof *items);
    if (!items)
        return NULL;
    r->items = items;
    struct item *it = &items[r->n_items++];
    memset(it, 0, sizeof *it);
    it->tag = tag;
    return it;
}

/* One line of a record file; -1 when out of memory. */
static int
read_line(struct reader *rd, char *line)
{
    char *v[MAX_VALUES];
    size_t n = split(line, v);
    const char *tag = v[0];
    struct report_file *f = rd->file;
    if (strcmp(tag, "record") == 0) {
        struct record *records = grow(f->records, f->n_records, sizeof *records);
        if (!records)
            return -1;
        f->records = records;
        struct record *r = &records[f->n_records++];
        memset(r, 0, sizeof *r);
        r->kind = RECORD_NOTE;
        r->kind_name = dup_or_empty(v, n, 1);
        if (!r->kind_name)
            return -1;
        record_kind_by_name(r->kind_name, &r->kind);
        /* Inside another: that one goes on after this one's end (or
         * never, if its process died meanwhile: cut short). */
        if (rd->n_open == MAX_OPEN) {
            memmove(rd->open, rd->open + 1, (MAX_OPEN - 1) * sizeof rd->open[0]);
            memmove(rd->trace, rd->trace + 1,
                    (MAX_OPEN - 1) * sizeof rd->trace[0]);
            rd->n_open--;
        }
        rd->open[rd->n_open] = f->n_records - 1;
        rd->trace[rd->n_open] = NULL;
        rd->n_open++;
        return 0;
    }
    if (rd->n_open == 0)
        return 0; /* outside a record: nothing of ours */
    struct record *r = &f->records[rd->open[rd->n_open - 1]];
    struct trace **trace = &rd->trace[rd->n_open - 1];
    if (strcmp(tag, "end") == 0) {
        r->complete = true;
        rd->n_open--;
        return 0;
    }
    for (int i = 0; i < RECORD_N_FIELDS; i++) {
        if (strcmp(tag, field_tags[i]) != 0)
            continue;
        /* A field of several values ("bytes": OFFSET, HEX) keeps them
         * with tabs between. */
        size_t len = 0;
        for (size_t k = 1; k < n; k++)
            len += strlen(v[k]) + 1;
        char *value = malloc(len + 1);
        if (!value)
            return -1;
        value[0] = '\0';
        for (size_t k = 1, at = 0; k < n; k++) {
            size_t l = strlen(v[k]);
            memcpy(value + at, v[k], l + 1);
            at += l;
            if (k + 1 < n) {
                value[at++] = '\t';
                value[at] = '\0';
            }
        }
        free(r->field[i]);
        r->field[i] = value;
        if (i == RECORD_FIELD_MESSAGE) {
            /* Also an item: where it came is where the text shows it. */
            struct item *it = add_item(r, RECORD_N_ITEMS);
            if (!it || !(it->value = strdup(value)))
                return -1;
            it->is_message = true;
        }
        return 0;
    }
    int item = -1;
    for (int i = 0; i < RECORD_N_ITEMS; i++)
        if (strcmp(tag, item_tags[i]) == 0)
            item = i;
    switch (item) {
    case RECORD_ITEM_PROCESS:
    case RECORD_ITEM_TEXT:
    case RECORD_ITEM_RERUN:
    case RECORD_ITEM_FATAL: {
        struct item *it = add_item(r, (enum record_item)item);
        if (!it)
            return -1;
        /* PROCESS: WHAT; TEXT: the line; RERUN: the serial. */
        if (item != RECORD_ITEM_FATAL && n > 1 && !(it->value = strdup(v[1])))
            return -1;
        if (!it->value && item != RECORD_ITEM_FATAL && item != RECORD_ITEM_RERUN &&
            !(it->value = strdup("")))
            return -1;
        return 0;
    }
    case RECORD_ITEM_TRACE: {
        struct trace *t = calloc(1, sizeof *t);
        struct trace **traces =
            t ? grow(r->traces, r->n_traces, sizeof *traces) : NULL;
        if (!traces) {
            free(t);
            return -1;
        }
        r->traces = traces;
        traces[r->n_traces++] = t;
        t->role = dup_or_empty(v, n, 1);
        t->title = dup_or_empty(v, n, 2);
        struct item *it = add_item(r, RECORD_ITEM_TRACE);
        if (!it || !t->role || !t->title)
            return -1;
        it->trace = t;
        *trace = t;
        return 0;
    }
    case RECORD_ITEM_FRAME: {
        struct trace *t = *trace;
        if (!t)
            return 0;
        struct frame *frames = grow(t->frames, t->n_frames, sizeof *frames);
        if (!frames)
            return -1;
        t->frames = frames;
        struct frame *fr = &frames[t->n_frames++];
        memset(fr, 0, sizeof *fr);
        fr->pc = n > 1 ? strtoull(v[1], NULL, 16) : 0;
        fr->module = dup_or_empty(v, n, 2);
        fr->offset = n > 3 ? strtoull(v[3], NULL, 16) : 0;
        fr->build_id = dup_or_empty(v, n, 4);
        fr->symbol = dup_or_empty(v, n, 5);
        fr->symbol_offset = n > 6 ? strtoull(v[6], NULL, 16) : 0;
        fr->fault = n > 7 && strcmp(v[7], "fault") == 0;
        if (!fr->module || !fr->build_id || !fr->symbol)
            return -1;
        return 0;
    }
    case RECORD_ITEM_UNRECORDED:
        if (*trace && !(*trace)->unrecorded &&
            !((*trace)->unrecorded = dup_or_empty(v, n, 1)))
            return -1;
        return 0;
    case RECORD_ITEM_TRACE_END:
        if (*trace)
            (*trace)->ended = true;
        *trace = NULL;
        return 0;
    default:
        return 0; /* a tag of a newer library */
    }
}

/* The rest of F after the PREFIX_LEN bytes of PREFIX, as OUT's text. */
static int
read_text_rest(FILE *f, const char *prefix, size_t prefix_len,
               struct report_file *out)
{
    char *all = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&all, &size);
    if (!mem)
        return -1;
    fwrite(prefix, 1, prefix_len, mem);
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        if (fwrite(buf, 1, got, mem) != got)
            break;
    if (fclose(mem) != 0 || !all) {
        free(all);
        return -1;
    }
    out->is_text = true;
    out->text = all;
    out->text_len = size;
    return 0;
}

int
records_read(FILE *f, const char *path, struct report_file *out)
{
    memset(out, 0, sizeof *out);
    out->path = strdup(path ? path : "");
    char *line = NULL;
    size_t cap = 0;
    int status = out->path ? 0 : -1;
    /* The magic line, or a text report. */
    ssize_t len = status == 0 ? getline(&line, &cap, f) : -1;
    size_t magic = strlen(RECORD_MAGIC);
    if (status == 0 &&
        (len < 0 || (size_t)len < magic + 1 || memcmp(line, RECORD_MAGIC, magic) != 0 ||
         line[magic] != '\n'))
        status = read_text_rest(f, line ? line : "", len > 0 ? (size_t)len : 0,
                                out);
    else {
        /* Records, one line at a time: the file may be large (a leak
         * check's thousands of groups), its records less so. */
        struct reader rd = {.file = out};
        while (status == 0 && (len = getline(&line, &cap, f)) > 0) {
            if (line[len - 1] == '\n')
                line[len - 1] = '\0';
            /* A NUL in a line (a file cut by a crash, then zero-filled)
             * ends it there. */
            status = read_line(&rd, line);
        }
    }
    free(line);
    if (status == 0)
        return 0;
    records_free(out);
    fprintf(stderr, "deadbyte: out of memory reading %s\n", path ? path : "");
    return -1;
}

static void
free_trace(struct trace *t)
{
    for (size_t i = 0; i < t->n_frames; i++) {
        free(t->frames[i].module);
        free(t->frames[i].build_id);
        free(t->frames[i].symbol);
        /* frames[i].symbols belong to the symbolizer's cache. */
    }
    free(t->frames);
    free(t->role);
    free(t->title);
    free(t->unrecorded);
    free(t);
}

void
records_free(struct report_file *file)
{
    for (size_t i = 0; i < file->n_records; i++) {
        struct record *r = &file->records[i];
        for (int k = 0; k < RECORD_N_FIELDS; k++)
            free(r->field[k]);
        for (size_t k = 0; k < r->n_items; k++)
            free(r->items[k].value);
        free(r->items);
        for (size_t k = 0; k < r->n_traces; k++)
            free_trace(r->traces[k]);
        free(r->traces);
        free(r->kind_name);
    }
    free(file->records);
    free(file->path);
    free(file->text);
    memset(file, 0, sizeof *file);
}
