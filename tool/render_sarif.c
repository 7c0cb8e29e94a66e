/* SPDX-License-Identifier: MIT */
/*
 * render_sarif.c -- --format=sarif: one SARIF 2.1.0 log for the run, the
 * form GitHub code scanning and most editors read.  Its rules are the
 * kinds of lib/record.h that make results (the errors, and the leaks);
 * each result points at the first frame in the user's own code, with
 * the allocation and free tracebacks as related locations and as code
 * flows, and the serial number and --break-at command in its properties.
 */
#include "config.h"

#include "render_machine.h"

#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SARIF_SCHEMA                                                          \
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"     \
    "sarif-schema-2.1.0.json"
#define DEADBYTE_HOME "https://github.com/deadbyte/deadbyte"

static const struct {
    const char *name;
    bool error;
    const char *title, *help;
} kinds[] = {
#define KIND_ROW(id, name, error, suppress, title, help)                      \
    {name, error, title, help},
    RECORD_KINDS(KIND_ROW)
#undef KIND_ROW
};

/* The level of a result of KIND, or NULL for kinds that make none. */
static const char *
level(enum record_kind kind)
{
    if (kind >= RECORD_N_KINDS)
        return NULL;
    if (kinds[kind].error)
        return "error";
    if (kind == RECORD_LEAK || kind == RECORD_INDIRECT_LEAK)
        return "warning";
    if (kind == RECORD_STILL_REACHABLE)
        return "note";
    return NULL;
}

/* "heap-buffer-overflow" -> "HeapBufferOverflow": a rule's name. */
static void
put_rule_name(FILE *out, const char *id)
{
    putc('"', out);
    for (bool up = true; *id; id++) {
        if (*id == '-') {
            up = true;
            continue;
        }
        putc(up && *id >= 'a' && *id <= 'z' ? *id - 32 : *id, out);
        up = false;
    }
    putc('"', out);
}

/* The current directory, with a '/' at its end, or "" if unknown. */
static char cwd[PATH_MAX + 1];

/* PATH as a URI reference: percent-encoded but for unreserved
 * characters and '/'. */
static void
put_uri(FILE *out, const char *prefix, const char *path)
{
    putc('"', out);
    fputs(prefix, out);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || strchr("-._~/", c))
            putc(c, out);
        else
            fprintf(out, "%%%02X", c);
    }
    putc('"', out);
}

/* The artifact of FILE: under the current directory, relative to it
 * (%SRCROOT%); else an absolute file: URI. */
static void
put_artifact(FILE *out, const char *file)
{
    size_t len = strlen(cwd);
    fputs("\"artifactLocation\":{\"uri\":", out);
    if (file[0] != '/')
        put_uri(out, "", file);
    else if (len > 0 && strncmp(file, cwd, len) == 0)
        put_uri(out, "", file + len);
    else
        put_uri(out, "file://", file);
    if (file[0] != '/' || (len > 0 && strncmp(file, cwd, len) == 0))
        fputs(",\"uriBaseId\":\"%SRCROOT%\"", out);
    putc('}', out);
}

/* Is F a frame of deadbyte's own libraries, or of a library of the
 * system (whose debug information may name files outside /usr/)? */
static bool
not_users(const struct frame *f)
{
    static const char *const system[] = {"/lib/", "/lib32/", "/lib64/",
                                         "/usr/"};
    if (!f->module)
        return false;
    for (size_t i = 0; i < sizeof system / sizeof system[0]; i++)
        if (strncmp(f->module, system[i], strlen(system[i])) == 0)
            return true;
    const char *base = strrchr(f->module, '/');
    base = base ? base + 1 : f->module;
    return strncmp(base, "libdeadbyte", 11) == 0;
}

/* The innermost function of F that has a file, or NULL. */
static const struct symbol *
with_file(const struct frame *f)
{
    for (size_t i = 0; i < f->n_symbols; i++)
        if (f->symbols[i].file && *f->symbols[i].file)
            return &f->symbols[i];
    return NULL;
}

static bool
is_user_frame(const struct frame *f)
{
    const struct symbol *s = with_file(f);
    return s && !not_users(f) && strncmp(s->file, "/usr/", 5) != 0;
}

/* The frame of T that a result points at: the first in the user's code,
 * else (if ANY) the first with a file; NULL if none. */
static const struct frame *
user_frame(const struct trace *t, bool any)
{
    if (!t)
        return NULL;
    for (size_t i = 0; i < t->n_frames; i++)
        if (any ? with_file(&t->frames[i]) != NULL
                : is_user_frame(&t->frames[i]))
            return &t->frames[i];
    return NULL;
}

static const struct trace *
trace_of(const struct record *r, const char *role)
{
    for (size_t i = 0; i < r->n_traces; i++)
        if (r->traces[i]->role && strcmp(r->traces[i]->role, role) == 0)
            return r->traces[i];
    return NULL;
}

/* The frame of R a result points at: in the call trace, else the fault
 * trace, else the allocation trace, the first frame in the user's code;
 * failing that, the first frame with a file, in the same order; else the
 * first frame. */
static const struct frame *
result_frame(const struct record *r)
{
    static const char *const roles[] = {"call", "fault", "alloc", "free"};
    for (int any = 0; any < 2; any++)
        for (size_t i = 0; i < 4; i++) {
            const struct frame *f = user_frame(trace_of(r, roles[i]), any);
            if (f)
                return f;
        }
    for (size_t i = 0; i < 4; i++) {
        const struct trace *t = trace_of(r, roles[i]);
        if (t && t->n_frames > 0)
            return &t->frames[0]; /* a module and an offset, at least */
    }
    return NULL;
}

/* "physicalLocation":{...} of S, which has a file. */
static void
put_physical(FILE *out, const struct symbol *s)
{
    fputs("\"physicalLocation\":{", out);
    put_artifact(out, s->file);
    if (s->line > 0) {
        fprintf(out, ",\"region\":{\"startLine\":%d", s->line);
        if (s->column > 0)
            fprintf(out, ",\"startColumn\":%d", s->column);
        putc('}', out);
    }
    putc('}', out);
}

/*
 * A location object for frame F, as function S of it (NULL: the
 * innermost with a file, else the innermost); MESSAGE (or NULL) as its
 * message; ID >= 0 gives it an id.
 */
static void
put_location(FILE *out, const struct frame *f, const struct symbol *s,
             const char *message, int id)
{
    if (!s)
        s = with_file(f);
    if (!s && f->n_symbols > 0)
        s = &f->symbols[0];
    bool comma = false;
    putc('{', out);
    if (id >= 0) {
        fprintf(out, "\"id\":%d", id);
        comma = true;
    }
    /* A relative file name is relative to where its module was built:
     * the current directory may stand for that of the user's code, not
     * for a library's. */
    if (s && s->file && *s->file && (s->file[0] == '/' || !not_users(f))) {
        if (comma)
            putc(',', out);
        put_physical(out, s);
        comma = true;
    }
    const char *function = s && s->function && *s->function ? s->function
                           : f->symbol && *f->symbol        ? f->symbol
                                                            : NULL;
    if (function) {
        if (comma)
            putc(',', out);
        fputs("\"logicalLocations\":[{\"fullyQualifiedName\":", out);
        json_string(out, function);
        fputs(",\"kind\":\"function\"}]", out);
        comma = true;
    }
    if (message || !comma) {
        if (comma)
            putc(',', out);
        fputs("\"message\":{\"text\":", out);
        if (message) {
            json_string(out, message);
        } else if (!f->module || !*f->module) {
            char text[64];
            snprintf(text, sizeof text, "0x%" PRIx64 " in ?? (unknown module)",
                     f->pc);
            json_string(out, text);
        } else {
            /* Nothing else to say: where it is in its module. */
            char where[32];
            snprintf(where, sizeof where, "+0x%" PRIx64, f->offset);
            size_t len = strlen(f->module) + strlen(where);
            char *text = malloc(len + 1);
            if (text) {
                snprintf(text, len + 1, "%s%s", f->module, where);
                json_string(out, text);
                free(text);
            } else {
                json_string(out, where);
            }
        }
        putc('}', out);
    }
    putc('}', out);
}

/* One threadFlow: T's frames in the order they ran, the outermost call
 * first, each inlined function its own step; its title as the message. */
static void
put_thread_flow(FILE *out, const struct trace *t)
{
    fputs("{\"message\":{\"text\":", out);
    json_string(out, t->title && *t->title ? t->title : t->role);
    fputs("},\"locations\":[", out);
    size_t level = 0;
    for (size_t i = t->n_frames; i-- > 0;) {
        const struct frame *f = &t->frames[i];
        size_t n = f->n_symbols ? f->n_symbols : 1;
        for (size_t j = n; j-- > 0; level++) {
            if (level > 0)
                putc(',', out);
            fputs("{\"location\":", out);
            put_location(out, f, f->n_symbols ? &f->symbols[j] : NULL, NULL,
                         -1);
            fprintf(out, ",\"nestingLevel\":%zu}", level);
        }
    }
    fputs("]}", out);
}

static const char *
field(const struct record *r, enum record_field id)
{
    return r->field[id];
}

/* The rule index of each kind that makes results, or -1. */
static int rule_index[RECORD_N_KINDS];

/* Whether a result was written yet: the next needs a comma. */
static bool any_result;

void
sarif_record(FILE *out, const struct record *r)
{
    if (!level(r->kind))
        return;
    if (any_result)
        putc(',', out);
    any_result = true;
    fputs("\n{\"ruleId\":", out);
    json_string(out, kinds[r->kind].name);
    fprintf(out, ",\"ruleIndex\":%d,\"level\":\"%s\",\"message\":{\"text\":",
            rule_index[r->kind], level(r->kind));
    const char *message = field(r, RECORD_FIELD_MESSAGE);
    if (!message)
        for (size_t i = 0; i < r->n_items && !message; i++)
            if (r->items[i].tag == RECORD_ITEM_TEXT &&
                !r->items[i].is_message && r->items[i].value &&
                *r->items[i].value)
                message = r->items[i].value;
    json_string(out, message ? message : kinds[r->kind].title);
    putc('}', out);

    const struct frame *where = result_frame(r);
    if (where) {
        fputs(",\"locations\":[", out);
        put_location(out, where, NULL, NULL, -1);
        putc(']', out);
    }

    /* Where the block was made and freed. */
    static const struct {
        const char *role, *message;
    } related[] = {{"alloc", "allocated here"}, {"free", "freed here"}};
    bool any = false;
    for (size_t i = 0; i < 2; i++) {
        const struct trace *t = trace_of(r, related[i].role);
        const struct frame *f = user_frame(t, false);
        if (!f)
            f = user_frame(t, true);
        if (!f && t && t->n_frames > 0)
            f = &t->frames[0];
        if (!f)
            continue;
        fputs(any ? "," : ",\"relatedLocations\":[", out);
        put_location(out, f, NULL, related[i].message, (int)i);
        any = true;
    }
    if (any)
        putc(']', out);

    bool flows = false;
    for (size_t i = 0; i < r->n_traces; i++) {
        if (r->traces[i]->n_frames == 0)
            continue;
        fputs(flows ? "," : ",\"codeFlows\":[{\"threadFlows\":[", out);
        put_thread_flow(out, r->traces[i]);
        flows = true;
    }
    if (flows)
        fputs("]}]", out);

    /* Properties: what the user needs to dig further. */
    fputs(",\"properties\":{", out);
    bool comma = false;
#define PROPERTY_NUMBER(name, id)                                              \
    do {                                                                       \
        const char *v = field(r, id);                                          \
        char *end;                                                             \
        if (!v || !*v)                                                         \
            break;                                                             \
        intmax_t n = strtoimax(v, &end, 10);                                   \
        if (*end)                                                              \
            break;                                                             \
        fprintf(out, "%s\"%s\":%jd", comma ? "," : "", name, n);               \
        comma = true;                                                          \
    } while (0)
    PROPERTY_NUMBER("serial", RECORD_FIELD_SERIAL);
    PROPERTY_NUMBER("pid", RECORD_FIELD_PID);
    PROPERTY_NUMBER("thread", RECORD_FIELD_THREAD);
    PROPERTY_NUMBER("blockSize", RECORD_FIELD_SIZE);
    PROPERTY_NUMBER("offset", RECORD_FIELD_OFFSET);
#undef PROPERTY_NUMBER
    static const struct {
        const char *name;
        enum record_field id;
    } strings[] = {{"blockAddress", RECORD_FIELD_ADDRESS},
                   {"api", RECORD_FIELD_API_NAME},
                   {"function", RECORD_FIELD_FUNCTION},
                   {"check", RECORD_FIELD_CHECK},
                   {"command", RECORD_FIELD_COMMAND}};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        const char *v = field(r, strings[i].id);
        if (!v)
            continue;
        fprintf(out, "%s\"%s\":", comma ? "," : "", strings[i].name);
        json_string(out, v);
        comma = true;
    }
    const char *serial = field(r, RECORD_FIELD_SERIAL);
    const char *command = field(r, RECORD_FIELD_COMMAND);
    if (serial && command && strtoumax(serial, NULL, 10) > 0) {
        fprintf(out, "%s\"breakAt\":", comma ? "," : "");
        size_t len = strlen(serial) + strlen(command) + 32;
        char *rerun = malloc(len);
        if (rerun) {
            snprintf(rerun, len, "deadbyte --break-at %s %s", serial, command);
            json_string(out, rerun);
            free(rerun);
        } else {
            json_string(out, "");
        }
    }
    fputs("}}", out);
}

void
sarif_begin(FILE *out)
{
    if (getcwd(cwd, sizeof cwd - 1) && strcmp(cwd, "/") != 0)
        strcat(cwd, "/");
    else
        cwd[0] = '\0';
    any_result = false;

    fputs("{\"$schema\":\"" SARIF_SCHEMA "\",\"version\":\"2.1.0\","
          "\"runs\":[{\"tool\":{\"driver\":{\"name\":\"deadbyte\","
          "\"version\":\"" PACKAGE_VERSION "\","
          "\"informationUri\":\"" DEADBYTE_HOME "\",\"rules\":[",
          out);
    int rules = 0;
    for (size_t k = 0; k < RECORD_N_KINDS; k++) {
        rule_index[k] = -1;
        if (!level((enum record_kind)k))
            continue;
        rule_index[k] = rules;
        fputs(rules++ ? ",\n{\"id\":" : "\n{\"id\":", out);
        json_string(out, kinds[k].name);
        fputs(",\"name\":", out);
        put_rule_name(out, kinds[k].name);
        fputs(",\"shortDescription\":{\"text\":", out);
        json_string(out, kinds[k].title);
        fputs("},\"fullDescription\":{\"text\":", out);
        json_string(out, kinds[k].help);
        fputs("},\"help\":{\"text\":", out);
        json_string(out, kinds[k].help);
        fprintf(out, "},\"defaultConfiguration\":{\"level\":\"%s\"}}",
                level((enum record_kind)k));
    }
    fputs("]}}", out);
    if (cwd[0]) {
        fputs(",\n\"originalUriBaseIds\":{\"%SRCROOT%\":{\"uri\":", out);
        put_uri(out, "file://", cwd);
        fputs("}}", out);
    }
    fputs(",\n\"results\":[", out);
}

void
sarif_end(FILE *out, const struct machine_summary *summary)
{
    fputs("],\n\"invocations\":[{", out);
    /* The analysis is whole when the program ran to its end or a report
     * stopped it; a signal that deadbyte did not send cut it short. */
    bool whole = !summary->has_exit_status || summary->exit_status < 128 ||
                 (summary->exit_status == 134 && summary->errors > 0);
    fprintf(out, "\"executionSuccessful\":%s", whole ? "true" : "false");
    if (summary->has_exit_status)
        fprintf(out, ",\"exitCode\":%d", summary->exit_status);
    fprintf(out, "}],\n\"properties\":{\"errors\":%zu,\"processes\":%zu,"
                 "\"suppressed\":%zu,\"leakedBytes\":%zu,"
                 "\"leakedBlocks\":%zu}}]}\n",
            summary->errors, summary->processes, summary->suppressed,
            summary->leaked_bytes, summary->leaked_blocks);
}
