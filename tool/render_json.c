/* SPDX-License-Identifier: MIT */
/*
 * render_json.c -- --format=json: the records of a run as JSON Lines, one
 * object per record, then one summary object; every object carries
 * "schema":"deadbyte/1".  deadbyte(7) documents each field, and
 * tests/schema/deadbyte-1.schema.json is the same as a JSON schema.  A
 * field the record does not have is left out, never null.
 */
#include "config.h"

#include "render_machine.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    bool error;
} kinds[] = {
#define KIND_ROW(id, name, error, suppress, title, help) {name, error},
    RECORD_KINDS(KIND_ROW)
#undef KIND_ROW
};

/* The length of the valid UTF-8 sequence at S, or 0 if there is none. */
static size_t
utf8_length(const unsigned char *s, size_t left)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0; /* no overlong forms */
        if (c == 0xed)
            hi = 0x9f; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        if (c == 0xf4)
            hi = 0x8f; /* nothing past U+10FFFF */
    } else
        return 0;
    if (left < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

void
json_string_len(FILE *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    putc('"', out);
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t len = utf8_length(s + i, n - i);
        if (len == 0) {
            fprintf(out, "\\u%04x", c); /* the byte, read as Latin-1 */
            i++;
            continue;
        }
        if (len > 1) {
            fwrite(s + i, 1, len, out);
            i += len;
            continue;
        }
        i++;
        switch (c) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                fprintf(out, "\\u%04x", c);
            else
                putc(c, out);
        }
    }
    putc('"', out);
}

void
json_string(FILE *out, const char *s)
{
    json_string_len(out, s, strlen(s));
}

/* One member of an object: the comma before it unless it is the first. */
struct object {
    FILE *out;
    bool started;
};

static void
open_object(struct object *o, FILE *out)
{
    o->out = out;
    o->started = false;
    putc('{', out);
}

static void
key(struct object *o, const char *name)
{
    if (o->started)
        putc(',', o->out);
    o->started = true;
    json_string(o->out, name);
    putc(':', o->out);
}

static void
close_object(struct object *o)
{
    putc('}', o->out);
}

static const char *
field(const struct record *r, enum record_field id)
{
    return r->field[id];
}

/* A field written as a decimal number: true and *OUT if it is one. */
static bool
field_number(const struct record *r, enum record_field id, intmax_t *out)
{
    const char *s = field(r, id);
    if (!s || !*s)
        return false;
    char *end;
    intmax_t v = strtoimax(s, &end, 10);
    if (*end)
        return false;
    *out = v;
    return true;
}

static void
member_string(struct object *o, const char *name, const char *value)
{
    if (!value)
        return;
    key(o, name);
    json_string(o->out, value);
}

static void
member_number(struct object *o, const char *name, const struct record *r,
              enum record_field id)
{
    intmax_t v;
    if (!field_number(r, id, &v))
        return;
    key(o, name);
    fprintf(o->out, "%jd", v);
}

static void
member_bool(struct object *o, const char *name, const struct record *r,
            enum record_field id)
{
    const char *s = field(r, id);
    if (!s || (strcmp(s, "0") != 0 && strcmp(s, "1") != 0))
        return;
    key(o, name);
    fputs(*s == '1' ? "true" : "false", o->out);
}

static bool
has_any(const struct record *r, const enum record_field *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (field(r, ids[i]))
            return true;
    return false;
}

static void
put_hex(FILE *out, uint64_t v)
{
    fprintf(out, "\"0x%" PRIx64 "\"", v);
}

static void
put_frame(FILE *out, const struct frame *f)
{
    struct object o;
    open_object(&o, out);
    key(&o, "pc");
    put_hex(out, f->pc);
    if (f->module && *f->module) {
        member_string(&o, "module", f->module);
        key(&o, "offset");
        put_hex(out, f->offset);
    }
    if (f->build_id && *f->build_id)
        member_string(&o, "build_id", f->build_id);
    if (f->symbol && *f->symbol)
        member_string(&o, "symbol", f->symbol);
    if (f->fault) {
        key(&o, "fault");
        fputs("true", out);
    }
    if (f->n_symbols > 0) {
        key(&o, "functions");
        putc('[', out);
        for (size_t i = 0; i < f->n_symbols; i++) {
            const struct symbol *s = &f->symbols[i];
            struct object fo;
            if (i)
                putc(',', out);
            open_object(&fo, out);
            member_string(&fo, "function", s->function ? s->function : "??");
            member_string(&fo, "file", s->file);
            if (s->line > 0) {
                key(&fo, "line");
                fprintf(out, "%d", s->line);
            }
            if (s->column > 0) {
                key(&fo, "column");
                fprintf(out, "%d", s->column);
            }
            close_object(&fo);
        }
        putc(']', out);
    }
    close_object(&o);
}

static void
put_trace(FILE *out, const struct trace *t)
{
    struct object o;
    open_object(&o, out);
    member_string(&o, "role", t->role ? t->role : "");
    member_string(&o, "title", t->title ? t->title : "");
    member_string(&o, "unrecorded", t->unrecorded);
    key(&o, "frames");
    putc('[', out);
    for (size_t i = 0; i < t->n_frames; i++) {
        if (i)
            putc(',', out);
        put_frame(out, &t->frames[i]);
    }
    putc(']', out);
    close_object(&o);
}

/* The first text line of R, or NULL. */
static const char *
first_text(const struct record *r)
{
    for (size_t i = 0; i < r->n_items; i++)
        if (r->items[i].tag == RECORD_ITEM_TEXT && !r->items[i].is_message &&
            r->items[i].value && *r->items[i].value)
            return r->items[i].value;
    return NULL;
}

/* The serial number of R's "rerun" item (its own, else the record's),
 * into *SERIAL: false if R has no such item or no number. */
static bool
rerun_serial(const struct record *r, intmax_t *serial)
{
    for (size_t i = 0; i < r->n_items; i++) {
        const struct item *it = &r->items[i];
        if (it->tag != RECORD_ITEM_RERUN || it->is_message)
            continue;
        char *end;
        if (it->value && *it->value) {
            *serial = strtoimax(it->value, &end, 10);
            return *end == '\0';
        }
        return field_number(r, RECORD_FIELD_SERIAL, serial);
    }
    return false;
}

void
json_record(FILE *out, const struct record *r)
{
    if (r->kind >= RECORD_N_KINDS || r->kind == RECORD_LEAK_SUMMARY)
        return; /* the summary has the totals */
    struct object o;
    open_object(&o, out);
    member_string(&o, "schema", "deadbyte/1");
    member_string(&o, "kind", kinds[r->kind].name);
    key(&o, "error");
    fputs(kinds[r->kind].error ? "true" : "false", out);

    static const enum record_field process_fields[] = {
        RECORD_FIELD_PID, RECORD_FIELD_PPID, RECORD_FIELD_ARGV0,
        RECORD_FIELD_COMMAND};
    if (has_any(r, process_fields, 4)) {
        struct object p;
        key(&o, "process");
        open_object(&p, out);
        member_number(&p, "pid", r, RECORD_FIELD_PID);
        member_number(&p, "ppid", r, RECORD_FIELD_PPID);
        member_string(&p, "argv0", field(r, RECORD_FIELD_ARGV0));
        member_string(&p, "command", field(r, RECORD_FIELD_COMMAND));
        close_object(&p);
    }
    member_number(&o, "thread", r, RECORD_FIELD_THREAD);
    member_string(&o, "function", field(r, RECORD_FIELD_FUNCTION));
    member_string(&o, "check", field(r, RECORD_FIELD_CHECK));
    member_string(&o, "detail", field(r, RECORD_FIELD_DETAIL));
    const char *message = field(r, RECORD_FIELD_MESSAGE);
    member_string(&o, "message", message ? message : first_text(r));

    static const enum record_field block_fields[] = {
        RECORD_FIELD_ADDRESS, RECORD_FIELD_SIZE,   RECORD_FIELD_API,
        RECORD_FIELD_API_NAME, RECORD_FIELD_SERIAL, RECORD_FIELD_FREED,
        RECORD_FIELD_TRACKED, RECORD_FIELD_GUARDED};
    if (has_any(r, block_fields, 8)) {
        struct object b;
        key(&o, "block");
        open_object(&b, out);
        member_string(&b, "address", field(r, RECORD_FIELD_ADDRESS));
        member_number(&b, "size", r, RECORD_FIELD_SIZE);
        member_string(&b, "api", field(r, RECORD_FIELD_API));
        member_string(&b, "api_name", field(r, RECORD_FIELD_API_NAME));
        member_number(&b, "serial", r, RECORD_FIELD_SERIAL);
        member_bool(&b, "freed", r, RECORD_FIELD_FREED);
        member_bool(&b, "tracked", r, RECORD_FIELD_TRACKED);
        member_bool(&b, "guarded", r, RECORD_FIELD_GUARDED);
        close_object(&b);
    }
    static const enum record_field access_fields[] = {
        RECORD_FIELD_ACCESS, RECORD_FIELD_ACCESS_SIZE, RECORD_FIELD_OFFSET};
    if (has_any(r, access_fields, 3)) {
        struct object a;
        key(&o, "access");
        open_object(&a, out);
        member_string(&a, "kind", field(r, RECORD_FIELD_ACCESS));
        member_number(&a, "size", r, RECORD_FIELD_ACCESS_SIZE);
        member_number(&a, "offset", r, RECORD_FIELD_OFFSET);
        close_object(&a);
    }
    const char *bytes = field(r, RECORD_FIELD_BYTES);
    const char *tab = bytes ? strchr(bytes, '\t') : NULL;
    if (tab) {
        struct object b;
        char *end;
        intmax_t offset = strtoimax(bytes, &end, 10);
        key(&o, "bytes");
        open_object(&b, out);
        if (end == tab && end != bytes) {
            key(&b, "offset");
            fprintf(out, "%jd", offset);
        }
        member_string(&b, "hex", tab + 1);
        close_object(&b);
    }
    if (field(r, RECORD_FIELD_LEAK_BYTES) ||
        field(r, RECORD_FIELD_LEAK_BLOCKS)) {
        struct object l;
        key(&o, "leak");
        open_object(&l, out);
        member_number(&l, "bytes", r, RECORD_FIELD_LEAK_BYTES);
        member_number(&l, "blocks", r, RECORD_FIELD_LEAK_BLOCKS);
        close_object(&l);
    }
    intmax_t serial;
    const char *command = field(r, RECORD_FIELD_COMMAND);
    if (rerun_serial(r, &serial) && serial > 0 && command) {
        char head[64];
        snprintf(head, sizeof head, "deadbyte --break-at %jd ", serial);
        size_t len = strlen(head) + strlen(command);
        char *rerun = malloc(len + 1);
        if (rerun) {
            snprintf(rerun, len + 1, "%s%s", head, command);
            member_string(&o, "rerun", rerun);
            free(rerun);
        }
    }
    if (r->n_traces > 0) {
        key(&o, "traces");
        putc('[', out);
        for (size_t i = 0; i < r->n_traces; i++) {
            if (i)
                putc(',', out);
            put_trace(out, r->traces[i]);
        }
        putc(']', out);
    }
    bool any_text = false;
    for (size_t i = 0; i < r->n_items; i++) {
        const struct item *it = &r->items[i];
        if (it->tag != RECORD_ITEM_TEXT || it->is_message || !it->value)
            continue;
        if (!any_text)
            key(&o, "text");
        putc(any_text ? ',' : '[', out);
        any_text = true;
        json_string(out, it->value);
    }
    if (any_text)
        putc(']', out);
    close_object(&o);
    putc('\n', out);
}

/* A report written as text: one note, its lines as "text". */
void
json_text_file(FILE *out, const struct report_file *f)
{
    if (!f->text || !*f->text)
        return;
    struct object o;
    open_object(&o, out);
    member_string(&o, "schema", "deadbyte/1");
    member_string(&o, "kind", kinds[RECORD_NOTE].name);
    key(&o, "error");
    fputs("false", out);
    member_string(&o, "message", "a report written as text, not as records");
    key(&o, "text");
    putc('[', out);
    const char *s = f->text ? f->text : "";
    bool first = true;
    while (*s) {
        size_t len = strcspn(s, "\n");
        if (!first)
            putc(',', out);
        first = false;
        json_string_len(out, s, len);
        s += len;
        if (*s == '\n')
            s++;
    }
    putc(']', out);
    close_object(&o);
    putc('\n', out);
}

void
json_end(FILE *out, const struct machine_summary *summary)
{
    struct object o;
    open_object(&o, out);
    member_string(&o, "schema", "deadbyte/1");
    member_string(&o, "kind", "summary");
    key(&o, "errors");
    fprintf(out, "%zu", summary->errors);
    key(&o, "errors_by_kind");
    struct object k;
    open_object(&k, out);
    for (size_t i = 0; i < RECORD_N_KINDS; i++)
        if (summary->errors_by_kind[i]) {
            key(&k, kinds[i].name);
            fprintf(out, "%zu", summary->errors_by_kind[i]);
        }
    close_object(&k);
    key(&o, "processes");
    fprintf(out, "%zu", summary->processes);
    key(&o, "suppressed");
    fprintf(out, "%zu", summary->suppressed);
    key(&o, "leaked_bytes");
    fprintf(out, "%zu", summary->leaked_bytes);
    key(&o, "leaked_blocks");
    fprintf(out, "%zu", summary->leaked_blocks);
    if (summary->has_exit_status) {
        key(&o, "exit_status");
        fprintf(out, "%d", summary->exit_status);
    }
    close_object(&o);
    putc('\n', out);
}
