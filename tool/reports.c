/* SPDX-License-Identifier: MIT */
/*
 * reports.c -- gather the reports of every process of the program (each
 * writes its own <pid>.report in the report directory, whatever it did
 * with its fd 2) and show them after the program ends, with a summary.
 */
#include "config.h"

#include "reports.h"

#include "symbolize.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *
reports_make_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    size_t len = strlen(tmp) + sizeof "/deadbyte.XXXXXX";
    char *dir = malloc(len);
    if (!dir)
        return NULL;
    snprintf(dir, len, "%s/deadbyte.XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        fprintf(stderr, "deadbyte: cannot make a report directory in %s: %s\n",
                tmp, strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

struct report {
    char path[PATH_MAX];
    struct timespec when;
};

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

int
reports_print(const char *dir, FILE *out, int remove)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct report *reports = NULL;
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 8 || strcmp(e->d_name + len - 7, ".report") != 0)
            continue;
        struct report *grown = realloc(reports, (count + 1) * sizeof *reports);
        if (!grown)
            break;
        reports = grown;
        snprintf(reports[count].path, PATH_MAX, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(reports[count].path, &st) != 0)
            continue;
        reports[count].when = st.st_mtim;
        count++;
    }
    closedir(d);
    qsort(reports, count, sizeof *reports, oldest_first);

    int errors = 0;
    size_t processes = 0;
    char summary[4096] = "";
    for (size_t i = 0; i < count; i++) {
        FILE *f = fopen(reports[i].path, "r");
        if (!f)
            continue;
        processes++;
        char line[4096], process[sizeof line] = "";
        while (fgets(line, sizeof line, f)) {
            symbolize_line(line, out);
            if (strncmp(line, "deadbyte: fatal error in process ", 33) == 0)
                snprintf(process, sizeof process, "%s", line);
            if (strncmp(line, "Fatal error: ", 13) == 0) {
                errors++;
                note_error(summary, sizeof summary, process, line);
            }
        }
        fclose(f);
        if (remove)
            unlink(reports[i].path);
    }
    free(reports);
    if (remove)
        rmdir(dir);
    if (errors > 0)
        fprintf(out, "deadbyte: %d error%s in %zu process%s (%s)\n", errors,
                errors == 1 ? "" : "s", processes,
                processes == 1 ? "" : "es", summary);
    fflush(out);
    return errors;
}
