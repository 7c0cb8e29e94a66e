/* SPDX-License-Identifier: MIT */
/*
 * reports.c -- gather the reports of every process of the program (each
 * writes its own <pid>.report in the report directory, whatever it did
 * with its fd 2) and show them after the program ends, with a summary.
 */
#include "config.h"

#include "reports.h"

#include "printable.h"
#include "report_file.h"
#include "symbolize.h"

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

/* From "deadbyte: fatal error in process 1234 (./prog):" take
 * "./prog[1234]"; from "Fatal error: free: bad ID: ..." take "bad ID". */
static void
note_error(char *summary, size_t size, const char *process,
           const char *fatal_line)
{
    const char *check = fatal_line + sizeof "Fatal error: " - 1;
    const char *after_func = strstr(check, ": ");
    if (after_func)
        check = after_func + 2;
    size_t check_len = strcspn(check, ":\n");
    unsigned long pid = 0;
    char name[256] = "?";
    if (process)
        sscanf(process, "deadbyte: fatal error in process %lu (%255[^)]", &pid,
               name);
    size_t used = strlen(summary);
    snprintf(summary + used, size - used, "%s%.*s in %s[%lu]",
             used ? ", " : "", (int)check_len, check, name, pid);
}

/* Suppression patterns, built-in first. */
static const char *const builtin_suppressions[] = {
    "_IO_file_doallocate", /* stdio buffers, freed only by exit */
    "eh_alloc.cc",         /* the C++ runtime's emergency exception pool */
    "__cxa_get_globals",   /* the C++ runtime's per-thread exception state */
};
static char **suppressions;
static size_t n_suppressions;

static int
add_suppression(const char *pattern)
{
    char **grown = realloc(suppressions, (n_suppressions + 1) * sizeof *grown);
    if (!grown || !(grown[n_suppressions] = strdup(pattern)))
        return -1;
    suppressions = grown;
    n_suppressions++;
    return 0;
}

int
reports_load_suppressions(const char *file)
{
    for (size_t i = 0; i < sizeof builtin_suppressions / sizeof builtin_suppressions[0]; i++)
        if (add_suppression(builtin_suppressions[i]) != 0)
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
        if (strncmp(s, "leak:", 5) != 0 || s[5] == '\0') {
            fprintf(stderr,
                    "deadbyte: %s:%d: expected 'leak:PATTERN', found '%s'\n",
                    printable(file), number, printable(s));
            fclose(f);
            return -1;
        }
        if (add_suppression(s + 5) != 0) {
            fclose(f);
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

/* Is the symbolized frame line FRAME ("  #0 0x... in f file.c:3")
 * matched by a suppression?  The function name, file and module are
 * what patterns are tried against. */
static bool
suppressed(const char *frame)
{
    const char *in = strstr(frame, " in ");
    if (!in)
        return false;
    char words[4096];
    snprintf(words, sizeof words, "%s", in + 4);
    words[strcspn(words, "\n")] = '\0';
    char *space = strchr(words, ' ');
    for (size_t i = 0; i < n_suppressions; i++) {
        const char *pattern = suppressions[i];
        /* ^ and $ anchor to the function name; else any of the words. */
        if (space)
            *space = '\0';
        bool hit = pattern_matches(pattern, words);
        if (space)
            *space = ' ';
        if (hit || (pattern[0] != '^' && space && pattern_matches(pattern, space + 1)))
            return true;
    }
    return false;
}

/* A leak group, as the process wrote it: its header line, then its
 * traceback up to a blank line.  Buffered so that it can be dropped. */
struct group {
    char *text;
    size_t len, cap;
    bool is_leak;     /* definitely lost, not "still reachable" */
    bool is_suppressed;
    size_t bytes, blocks;
};

static void
group_add(struct group *g, const char *line)
{
    size_t n = strlen(line);
    if (g->len + n + 1 > g->cap) {
        size_t cap = (g->len + n + 1) * 2;
        char *grown = realloc(g->text, cap);
        if (!grown)
            return;
        g->text = grown;
        g->cap = cap;
    }
    memcpy(g->text + g->len, line, n + 1);
    g->len += n;
}

struct reports_summary
reports_print(const char *dir, FILE *out, int remove, time_t since)
{
    struct reports_summary summary = {0, 0, 0};
    DIR *d = opendir(dir);
    if (!d)
        return summary;
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
            note_unread(reports[count].path, since, out);
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

    size_t error_processes = 0, leak_processes = 0;
    size_t suppressed_bytes = 0, reachable_bytes = 0;
    char errors[4096] = "";
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
        char line[4096], process[sizeof line] = "", pending[sizeof line] = "";
        bool had_error = false, had_leak = false;
        struct group g = {0};
        bool in_group = false;
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "Direct leak of ", 15) == 0 ||
                strncmp(line, "Indirect leak of ", 17) == 0 ||
                strncmp(line, "Still reachable: ", 17) == 0) {
                in_group = true;
                g.len = 0;
                g.is_leak = line[0] != 'S';
                g.is_suppressed = false;
                const char *of = g.is_leak ? strstr(line, " of ") + 3 : strchr(line, ':') + 1;
                sscanf(of, " %zu byte%*s in %zu", &g.bytes, &g.blocks);
            }
            if (!in_group) {
                if (strncmp(line, "deadbyte: leak summary: ", 24) == 0)
                    continue; /* the launcher sums up itself */
                if (strncmp(line, "deadbyte: leak check in process ", 32) == 0) {
                    /* Shown only if a group of it is not suppressed. */
                    snprintf(pending, sizeof pending, "%s", line);
                    continue;
                }
                symbolize_line(line, out);
                if (strncmp(line, "deadbyte: fatal error in process ", 33) == 0)
                    snprintf(process, sizeof process, "%s", line);
                if (strncmp(line, "Fatal error: ", 13) == 0) {
                    summary.errors++;
                    had_error = true;
                    note_error(errors, sizeof errors, process, line);
                }
                continue;
            }
            /* Inside a leak group: symbolize into the buffer, and look at
             * every frame for a suppression. */
            char *symbolized = NULL;
            size_t size = 0;
            FILE *mem = open_memstream(&symbolized, &size);
            if (mem) {
                symbolize_line(line, mem);
                fclose(mem);
            }
            const char *text = symbolized ? symbolized : line;
            if (strncmp(text, "  #", 3) == 0) {
                for (const char *l = text; *l; l = strchr(l, '\n') + 1) {
                    if (suppressed(l))
                        g.is_suppressed = true;
                    if (!strchr(l, '\n'))
                        break;
                }
            }
            group_add(&g, text);
            free(symbolized);
            if (strcmp(line, "\n") == 0) { /* the end of the traceback */
                in_group = false;
                if (g.is_suppressed) {
                    if (g.is_leak)
                        suppressed_bytes += g.bytes;
                } else {
                    if (g.is_leak) {
                        summary.leaked_bytes += g.bytes;
                        summary.leaked_blocks += g.blocks;
                        had_leak = true;
                    } else {
                        reachable_bytes += g.bytes;
                    }
                    fputs(pending, out);
                    pending[0] = '\0';
                    fputs(g.text, out);
                }
            }
        }
        free(g.text);
        fclose(f);
        error_processes += had_error;
        leak_processes += had_leak;
        if (remove)
            unlink(reports[i].path);
    }
    free(reports);
    if (remove)
        rmdir(dir);
    if (summary.errors > 0)
        fprintf(out, "deadbyte: %d error%s in %zu process%s (%s)\n",
                summary.errors, summary.errors == 1 ? "" : "s",
                error_processes, error_processes == 1 ? "" : "es", errors);
    if (summary.leaked_blocks > 0) {
        fprintf(out, "deadbyte: %zu byte%s leaked in %zu block%s in %zu process%s",
                summary.leaked_bytes, summary.leaked_bytes == 1 ? "" : "s",
                summary.leaked_blocks, summary.leaked_blocks == 1 ? "" : "s",
                leak_processes, leak_processes == 1 ? "" : "es");
        if (suppressed_bytes)
            fprintf(out, " (%zu bytes suppressed)", suppressed_bytes);
        fputc('\n', out);
    }
    (void)reachable_bytes;
    fflush(out);
    return summary;
}
