/* SPDX-License-Identifier: MIT */
/*
 * reports.c -- gather the reports of every process of the program (each
 * writes its own <pid>.report in the report directory, whatever it did
 * with its fd 2) and show them after the program ends, with a summary.
 */
#include "config.h"

#include "reports.h"

#include "options.h"
#include "printable.h"
#include "records.h"
#include "render.h"
#include "render_machine.h"
#include "report_file.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Six characters from [A-Za-z0-9], as mkdtemp(3) puts in place of
 * XXXXXX. */
static void
random_name(char *out)
{
    static const char chars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char bytes[6];
    if (getrandom(bytes, sizeof bytes, GRND_NONBLOCK) != (ssize_t)sizeof bytes) {
        /* No entropy yet (early boot): the clock and the process ID;
         * a name taken already is skipped below. */
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        uint64_t x = (uint64_t)now.tv_nsec * 0x9e3779b97f4a7c15u ^
                     (uint64_t)now.tv_sec ^ (uint64_t)getpid() << 32;
        for (size_t i = 0; i < sizeof bytes; i++, x >>= 8)
            bytes[i] = (unsigned char)x;
    }
    for (size_t i = 0; i < sizeof bytes; i++)
        out[i] = chars[bytes[i] % (sizeof chars - 1)];
    out[sizeof bytes] = '\0';
}

/*
 * Take the name DIR: make the directory (NOW), or else the file that
 * keeps the name for the first process with a report, which makes the
 * directory (lib/report_file.c): most runs have none.  0, or an errno;
 * EEXIST when the name is taken.
 */
static int
take_name(const char *dir, bool now)
{
    if (now)
        return mkdir(dir, 0700) == 0 ? 0 : errno;
    char pending[PATH_MAX];
    if (snprintf(pending, sizeof pending, "%s%s", dir, REPORT_DIR_PENDING) >=
        (int)sizeof pending)
        return ENAMETOOLONG;
    int fd = open(pending, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0600);
    if (fd < 0)
        return errno;
    close(fd);
    struct stat st;
    if (lstat(dir, &st) != 0 && errno == ENOENT)
        return 0;
    unlink(pending);
    return EEXIST;
}

char *
reports_make_dir(bool now)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    /* Absolute, for TMPDIR may be relative and the program's processes
     * may change directory. */
    char *parent = realpath(tmp, NULL);
    int error = parent ? EEXIST : errno;
    size_t len = parent ? strlen(parent) + sizeof "/deadbyte.XXXXXX" : 0;
    char *dir = parent ? malloc(len) : NULL;
    if (parent && !dir)
        error = ENOMEM;
    for (int tries = 0; dir && error == EEXIST && tries < 100; tries++) {
        char name[7];
        random_name(name);
        snprintf(dir, len, "%s/deadbyte.%s", parent, name);
        error = take_name(dir, now);
    }
    free(parent);
    if (error == 0)
        return dir;
    free(dir);
    fprintf(stderr, "deadbyte: cannot make a report directory in %s: %s\n",
            printable(tmp), strerror(error));
    return NULL;
}

void
reports_end_pending(const char *dir)
{
    char pending[PATH_MAX];
    if (snprintf(pending, sizeof pending, "%s%s", dir, REPORT_DIR_PENDING) <
        (int)sizeof pending)
        unlink(pending);
}

struct report {
    char path[PATH_MAX];
    struct timespec when;
    dev_t dev;
    ino_t ino;
};

/* "1234.report": what a process of the program names its report file. */
static bool
is_report_name(const char *name)
{
    size_t digits = strspn(name, "0123456789");
    return digits > 0 && digits <= 10 && name[0] != '0' &&
           strcmp(name + digits, ".report") == 0;
}

/*
 * Open PATH for reading if a process of the program wrote it: a regular
 * file of this user, with one name, changed since SINCE, not reached
 * through a symbolic link.  In a --report-dir that other users share,
 * their files (or links to them) are not the program's reports.
 */
static int
open_own_report(const char *path, time_t since, struct stat *st)
{
    /* O_NONBLOCK: a FIFO dropped there must not hang the launcher. */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) ||
        st->st_uid != geteuid() || st->st_nlink != 1 ||
        st->st_mtime < since) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * A report file that a process of the program may have written since
 * SINCE, but not as this user -- it changed its user ID, or the file is
 * another user's: not read back, but not passed over in silence either.
 */
static void
note_unread(const char *path, time_t since, FILE *out)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_uid != geteuid() && st.st_mtime >= since)
        fprintf(out, "deadbyte: %s: not read: it belongs to another user "
                     "(uid %ld)\n",
                path, (long)st.st_uid);
}

static int
oldest_first(const void *a, const void *b)
{
    const struct report *x = a, *y = b;
    if (x->when.tv_sec != y->when.tv_sec)
        return x->when.tv_sec < y->when.tv_sec ? -1 : 1;
    if (x->when.tv_nsec != y->when.tv_nsec)
        return x->when.tv_nsec < y->when.tv_nsec ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* Suppressions: the keyword of the kinds they apply to ("leak",
 * "overflow": lib/record.h), and the pattern; built-in ones first. */
struct suppression {
    char *keyword;
    char *pattern;
};
static const char *const builtin_suppressions[] = {
    "_IO_file_doallocate", /* stdio buffers, freed only by exit */
    "eh_alloc.cc",         /* the C++ runtime's emergency exception pool */
    "__cxa_get_globals",   /* the C++ runtime's per-thread exception state */
};
static struct suppression *suppressions;
static size_t n_suppressions;

static int
add_suppression(const char *keyword, size_t keyword_len, const char *pattern)
{
    struct suppression *grown =
        realloc(suppressions, (n_suppressions + 1) * sizeof *grown);
    if (!grown)
        return -1;
    suppressions = grown;
    struct suppression *s = &suppressions[n_suppressions];
    s->keyword = strndup(keyword, keyword_len);
    s->pattern = strdup(pattern);
    if (!s->keyword || !s->pattern) {
        free(s->keyword);
        free(s->pattern);
        return -1;
    }
    n_suppressions++;
    return 0;
}

/* Is WORD (LEN bytes) the suppression keyword of a kind? */
static bool
is_keyword(const char *word, size_t len)
{
    for (int k = 0; k < RECORD_N_KINDS; k++) {
        const char *kw = record_kind_suppression((enum record_kind)k);
        if (*kw && strlen(kw) == len && strncmp(kw, word, len) == 0)
            return true;
    }
    return false;
}

/* "leak, overflow, underflow, ...": every keyword once, leak first,
 * then in the table's order. */
static void
list_keywords(char *out, size_t size)
{
    snprintf(out, size, "leak");
    for (int k = 0; k < RECORD_N_KINDS; k++) {
        const char *kw = record_kind_suppression((enum record_kind)k);
        bool seen = !*kw || strcmp(kw, "leak") == 0;
        for (int j = 0; j < k && !seen; j++)
            seen = strcmp(kw, record_kind_suppression((enum record_kind)j)) == 0;
        if (seen)
            continue;
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", used ? ", " : "", kw);
    }
}

int
reports_load_suppressions(const char *file)
{
    for (size_t i = 0; i < sizeof builtin_suppressions / sizeof builtin_suppressions[0]; i++)
        if (add_suppression("leak", 4, builtin_suppressions[i]) != 0)
            return -1;
    if (!file || !*file)
        return 0;
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "deadbyte: %s: %s\n", printable(file), strerror(errno));
        return -1;
    }
    char line[1024];
    int number = 0;
    while (fgets(line, sizeof line, f)) {
        number++;
        line[strcspn(line, "\r\n")] = '\0';
        char *s = line + strspn(line, " \t");
        if (*s == '#' || *s == '\0')
            continue;
        const char *colon = strchr(s, ':');
        size_t len = colon ? (size_t)(colon - s) : 0;
        if (!colon || colon[1] == '\0' || !is_keyword(s, len)) {
            char keywords[512];
            list_keywords(keywords, sizeof keywords);
            fprintf(stderr,
                    "deadbyte: %s:%d: expected 'KEYWORD:PATTERN', found "
                    "'%s'; the keywords are %s\n",
                    printable(file), number, printable(s), keywords);
            fclose(f);
            return -1;
        }
        if (add_suppression(s, len, colon + 1) != 0) {
            fclose(f);
            fprintf(stderr, "deadbyte: out of memory\n");
            return -1;
        }
    }
    fclose(f);
    return 0;
}

/* Does TEXT match PATTERN anywhere ('*' matches any run of characters,
 * a leading '^' or trailing '$' anchors)?  LeakSanitizer's syntax. */
static bool
match_here(const char *pattern, const char *text, bool anchored_end)
{
    for (; *pattern; pattern++, text++) {
        if (*pattern == '*') {
            for (const char *t = text;; t++) {
                if (match_here(pattern + 1, t, anchored_end))
                    return true;
                if (!*t)
                    return false;
            }
        }
        if (*pattern == '$' && pattern[1] == '\0')
            return *text == '\0';
        if (*text != *pattern)
            return false;
    }
    return !anchored_end || *text == '\0';
}

static bool
pattern_matches(const char *pattern, const char *text)
{
    if (*pattern == '^')
        return match_here(pattern + 1, text, false);
    for (const char *t = text; *t; t++)
        if (match_here(pattern, t, false))
            return true;
    return false;
}

/* Does PATTERN match frame F: the name of one of its functions (^ and $
 * anchor to it), or else its file or module? */
static bool
frame_matches(const char *pattern, const struct frame *f)
{
    bool anchored = pattern[0] == '^';
    for (size_t i = 0; i < f->n_symbols; i++) {
        const struct symbol *s = &f->symbols[i];
        if (pattern_matches(pattern, s->function) ||
            (!anchored && s->file && pattern_matches(pattern, s->file)))
            return true;
    }
    if (f->n_symbols == 0 &&
        pattern_matches(pattern, *f->symbol ? f->symbol : "??"))
        return true;
    return !anchored && *f->module && pattern_matches(pattern, f->module);
}

/* Is record R matched by a suppression of its kind's keyword: a frame
 * of any of its tracebacks?  Groups of blocks still reachable go by the
 * leak suppressions too, as the leaks do. */
static bool
record_suppressed(const struct record *r)
{
    const char *keyword = r->kind == RECORD_STILL_REACHABLE
                              ? "leak"
                              : record_kind_suppression(r->kind);
    if (!*keyword)
        return false;
    for (size_t i = 0; i < n_suppressions; i++) {
        if (strcmp(suppressions[i].keyword, keyword) != 0)
            continue;
        for (size_t t = 0; t < r->n_traces; t++)
            for (size_t k = 0; k < r->traces[t]->n_frames; k++)
                if (frame_matches(suppressions[i].pattern,
                                  &r->traces[t]->frames[k]))
                    return true;
    }
    return false;
}

/* "3 errors (2 heap-buffer-overflow, 1 double-free) in 2 processes",
 * "1 error (double-free) in 1 process": kinds by count, then in the
 * table's order; "; 2 suppressed" after. */
static void
print_error_summary(FILE *out, const struct reports_summary *s)
{
    if (s->errors == 0 && s->suppressed == 0)
        return;
    if (s->errors == 0) {
        fprintf(out, "deadbyte: no error reported; %d suppressed\n",
                s->suppressed);
        return;
    }
    fprintf(out, "deadbyte: %d error%s (", s->errors,
            s->errors == 1 ? "" : "s");
    bool done[RECORD_N_KINDS] = {false};
    const char *sep = "";
    int kinds = 0;
    for (int k = 0; k < RECORD_N_KINDS; k++)
        kinds += s->kind_errors[k] > 0;
    for (;;) {
        int best = -1;
        for (int k = 0; k < RECORD_N_KINDS; k++)
            if (!done[k] && s->kind_errors[k] > 0 &&
                (best < 0 || s->kind_errors[k] > s->kind_errors[best]))
                best = k;
        if (best < 0)
            break;
        done[best] = true;
        /* One kind: its name alone, the count is the total's. */
        if (kinds > 1)
            fprintf(out, "%s%d ", sep, s->kind_errors[best]);
        fputs(record_kind_name((enum record_kind)best), out);
        sep = ", ";
    }
    fprintf(out, ") in %zu process%s", s->error_processes,
            s->error_processes == 1 ? "" : "es");
    if (s->suppressed)
        fprintf(out, "; %d suppressed", s->suppressed);
    fputc('\n', out);
}

/* With --format=json or sarif: where the reports go, else NULL. */
static struct machine_out *machine;

/*
 * The three places a run's reports go out, in order: each record shown
 * (leak groups with the process line to write first, if any: PROCESS of
 * the record OF), each report file written as text, then the summary.
 */
static void
show_record(FILE *out, const struct record *r, const struct record *of,
            const struct item *process)
{
    if (machine) {
        machine_record(machine, r);
        return;
    }
    bool group = record_kind_is_leak_group(r->kind);
    if (group && process)
        render_text_process(out, of, process);
    render_text_record(out, r, !group);
}

static void
show_text_file(FILE *out, const struct report_file *file)
{
    if (machine)
        machine_text_file(machine, file);
    else
        render_text_file(out, file);
}

/* The program's exit status, for the machine formats (-1: unknown). */
static int program_status = -1;

static void
show_summary(FILE *out, const struct reports_summary *s)
{
    if (machine) {
        struct machine_summary m = {0};
        m.errors = (size_t)s->errors;
        for (size_t k = 0; k < RECORD_N_KINDS; k++)
            m.errors_by_kind[k] = (size_t)s->kind_errors[k];
        m.processes = s->error_processes;
        m.suppressed = (size_t)s->suppressed;
        m.leaked_bytes = s->leaked_bytes;
        m.leaked_blocks = s->leaked_blocks;
        m.has_exit_status = program_status >= 0;
        m.exit_status = program_status;
        machine_end(machine, &m);
        machine = NULL;
        return;
    }
    print_error_summary(out, s);
    if (s->leaked_blocks > 0) {
        fprintf(out, "deadbyte: %zu byte%s leaked in %zu block%s in %zu process%s",
                s->leaked_bytes, s->leaked_bytes == 1 ? "" : "s",
                s->leaked_blocks, s->leaked_blocks == 1 ? "" : "s",
                s->leak_processes, s->leak_processes == 1 ? "" : "es");
        if (s->suppressed_bytes)
            fprintf(out, " (%zu bytes suppressed)", s->suppressed_bytes);
        fputc('\n', out);
    }
}

/* Show the records of FILE that are not suppressed, and count them in
 * S. */
static void
print_records(const struct report_file *file, FILE *out,
              struct reports_summary *s)
{
    bool had_error = false, had_leak = false, shown_leak = false;
    /* The leak check's process line, until a group of it is shown. */
    const struct record *pending = NULL;
    const struct item *pending_item = NULL;
    for (size_t i = 0; i < file->n_records; i++) {
        const struct record *r = &file->records[i];
        if (r->kind == RECORD_LEAK_SUMMARY)
            continue; /* the launcher sums up itself */
        if (record_kind_is_leak_group(r->kind)) {
            for (size_t k = 0; k < r->n_items && !pending_item; k++)
                if (!r->items[k].is_message &&
                    r->items[k].tag == RECORD_ITEM_PROCESS) {
                    pending = r;
                    pending_item = &r->items[k];
                }
            size_t bytes = (size_t)record_field_u64(r, RECORD_FIELD_LEAK_BYTES, 0);
            size_t blocks = (size_t)record_field_u64(r, RECORD_FIELD_LEAK_BLOCKS, 0);
            bool definite = r->kind != RECORD_STILL_REACHABLE;
            if (record_suppressed(r)) {
                if (definite)
                    s->suppressed_bytes += bytes;
                continue;
            }
            if (definite) {
                s->leaked_bytes += bytes;
                s->leaked_blocks += blocks;
                had_leak = true;
            }
            show_record(out, r, pending, shown_leak ? NULL : pending_item);
            shown_leak = true;
            continue;
        }
        if (record_kind_is_error(r->kind)) {
            if (record_suppressed(r)) {
                s->suppressed++;
                continue;
            }
            s->errors++;
            s->kind_errors[r->kind]++;
            had_error = true;
        }
        show_record(out, r, NULL, NULL);
    }
    s->error_processes += had_error;
    s->leak_processes += had_leak;
}

struct reports_summary
reports_print(const char *dir, FILE *out, int remove, time_t since,
              int run_status)
{
    struct reports_summary summary;
    memset(&summary, 0, sizeof summary);
    /* A machine format has its summary even when there is no report. */
    struct machine_out m;
    if (options.format != FORMAT_TEXT) {
        machine = &m;
        machine_begin(machine, out, (int)options.format);
        program_status = run_status;
    }
    DIR *d = opendir(dir);
    if (!d) {
        if (machine)
            show_summary(out, &summary);
        return summary;
    }
    struct report *reports = NULL;
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_report_name(e->d_name))
            continue;
        struct report *grown = realloc(reports, (count + 1) * sizeof *reports);
        if (!grown)
            break;
        reports = grown;
        snprintf(reports[count].path, PATH_MAX, "%s/%s", dir, e->d_name);
        struct stat st;
        int fd = open_own_report(reports[count].path, since, &st);
        if (fd < 0) {
            note_unread(reports[count].path, since, machine ? stderr : out);
            continue;
        }
        close(fd);
        reports[count].when = st.st_mtim;
        reports[count].dev = st.st_dev;
        reports[count].ino = st.st_ino;
        count++;
    }
    closedir(d);
    /* Never qsort(NULL, 0): a null base is undefined even when empty. */
    if (count > 1)
        qsort(reports, count, sizeof *reports, oldest_first);

    for (size_t i = 0; i < count; i++) {
        /* The file listed, not one put in its place since. */
        struct stat st;
        int fd = open_own_report(reports[i].path, since, &st);
        FILE *f = fd >= 0 && st.st_dev == reports[i].dev &&
                          st.st_ino == reports[i].ino
                      ? fdopen(fd, "r")
                      : NULL;
        if (!f) {
            if (fd >= 0)
                close(fd);
            continue;
        }
        struct report_file file;
        int status = records_read(f, reports[i].path, &file);
        fclose(f);
        if (status != 0)
            continue;
        if (file.is_text) {
            /* Not records (a library of another version): shown as it
             * is, symbolized, but not counted. */
            show_text_file(out, &file);
        } else {
            records_symbolize(&file);
            print_records(&file, out, &summary);
        }
        records_free(&file);
        if (remove)
            unlink(reports[i].path);
    }
    free(reports);
    if (remove)
        rmdir(dir);
    show_summary(out, &summary);
    fflush(out);
    return summary;
}
