/* SPDX-License-Identifier: MIT */
/*
 * render_records.c -- the machine renderers (tool/render_json.c,
 * tool/render_sarif.c) on hand-written record files, without a program
 * run or a symbolizer:
 *
 *     render_records json|sarif [--exit-status N] [--suppressed N] FILE...
 *
 * The files are read by the launcher's reader (tool/records.c); one more
 * tag, for the tests only: "x-symbol FUNCTION FILE LINE COLUMN" after a
 * frame adds a function to that frame, as the symbolizer would
 * (innermost first; FILE "" for none).
 */
#include "config.h"

#include "records.h"
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

/*
 * PATH read by the launcher's reader (tool/records.c), then its
 * "x-symbol FUNCTION FILE LINE COLUMN" lines given to the frames they
 * follow, as the symbolizer would give them: the frames of the records,
 * in the file's order, are counted off against its "frame" lines.
 */
static void
read_file(const char *path, struct report_file *out)
{
    FILE *f = fopen(path, "r");
    if (!f || records_read(f, path, out) != 0 || out->is_text) {
        fprintf(stderr, "%s: not a record file\n", path);
        exit(99);
    }
    struct frame **frames = NULL;
    size_t n_frames = 0;
    for (size_t r = 0; r < out->n_records; r++)
        for (size_t t = 0; t < out->records[r].n_traces; t++) {
            struct trace *trace = out->records[r].traces[t];
            for (size_t k = 0; k < trace->n_frames; k++) {
                frames = grow(frames, n_frames + 1, sizeof *frames);
                frames[n_frames++] = &trace->frames[k];
            }
        }
    rewind(f);
    char line[65536];
    size_t seen = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "frame\t", 6) == 0) {
            seen++;
            continue;
        }
        char function[4096], file[4096] = "";
        int number, column;
        if (strncmp(line, "x-symbol\t", 9) != 0 || seen == 0 ||
            seen > n_frames ||
            (sscanf(line, "x-symbol\t%4095[^\t]\t%4095[^\t]\t%d\t%d",
                    function, file, &number, &column) != 4 &&
             (file[0] = '\0',
              sscanf(line, "x-symbol\t%4095[^\t]\t\t%d\t%d", function,
                     &number, &column) != 3)))
            continue;
        struct frame *fr = frames[seen - 1];
        /* A new array: the launcher's are its symbolizer's, const. */
        struct symbol *symbols = grow(NULL, fr->n_symbols + 1, sizeof *symbols);
        if (fr->n_symbols)
            memcpy(symbols, fr->symbols, fr->n_symbols * sizeof *symbols);
        symbols[fr->n_symbols] = (struct symbol){
            copy(function), file[0] ? copy(file) : NULL, number, column};
        fr->symbols = symbols;
        fr->n_symbols++;
    }
    free(frames);
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
