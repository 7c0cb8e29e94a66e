/* SPDX-License-Identifier: MIT */
/*
 * main.c -- the deadbyte launcher's command line:
 *
 *     deadbyte [options] [--] program [args...]
 *
 * Its options are the rows of lib/options.def (--name-with-dashes), the
 * same as the DEADBYTE_* variables; each value is checked with the
 * library's own parser before the program starts, and handed to it
 * through the environment.
 */
#include "config.h"

#include "launch.h"
#include "options.h"
#include "report_file.h"
#include "reports.h"
#include "symbolize.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct row {
    const char *name, *type, *def, *help;
};

static const struct row rows[] = {
#define DEADBYTE_OPTION(name, type, def, help) {#name, #type, def, help},
#include "options.def"
#undef DEADBYTE_OPTION
};
#define N_ROWS (sizeof rows / sizeof rows[0])

enum { OPT_HELP = 'h', OPT_VERSION = 'V', OPT_LIST = 256, OPT_ROW = 512 };

/* "log_file" -> "log-file" or "LOG_FILE". */
static void
spell(char *out, size_t size, const char *name, bool env)
{
    size_t i = 0;
    for (; name[i] && i + 1 < size; i++) {
        char c = name[i];
        out[i] = env ? (c == '_' ? '_' : (char)(c >= 'a' && c <= 'z' ? c - 32 : c))
                     : (c == '_' ? '-' : c);
    }
    out[i] = '\0';
}

static const char *
value_word(const struct row *row)
{
    if (strcmp(row->type, "BOOL") == 0)
        return "[=BOOL]";
    if (strcmp(row->type, "COUNT") == 0)
        return " N";
    if (strcmp(row->type, "SIZE") == 0)
        return " SIZE";
    if (strcmp(row->type, "LEAKS") == 0)
        return " MODE";
    if (strcmp(row->type, "BREAK") == 0)
        return " ACTION";
    if (strcmp(row->type, "MALLOC") == 0)
        return " MODE";
    if (strcmp(row->type, "SERIALS") == 0)
        return " N[,M...]";
    return strstr(row->name, "dir") ? " DIR" : " FILE";
}

static void
usage(FILE *out)
{
    fprintf(out,
            "Usage: deadbyte [OPTION]... [--] PROGRAM [ARG]...\n"
            "  or:  deadbyte symbolize [REPORT-FILE]\n"
            "Run PROGRAM with every heap allocation going through deadbyte's\n"
            "debug hooks; on a heap bug, report it and stop the program.\n"
            "\n"
            "Options (each also settable as the environment variable shown):\n");
    for (size_t i = 0; i < N_ROWS; i++) {
        char dashed[64], env[64], left[128];
        spell(dashed, sizeof dashed, rows[i].name, false);
        spell(env, sizeof env, rows[i].name, true);
        snprintf(left, sizeof left, "--%s%s", dashed, value_word(&rows[i]));
        fprintf(out, "  %-26s %s\n  %-26s (DEADBYTE_%s, default: %s)\n", left,
                rows[i].help, "", env,
                *rows[i].def ? rows[i].def : "not set");
    }
    fprintf(out,
            "  %-26s %s\n  %-26s %s\n  %-26s %s\n"
            "\n"
            "BOOL is 1/0, yes/no, on/off or true/false; --NAME alone means 1.\n"
            "SIZE is a number of bytes with an optional K, M or G suffix.\n"
            "\n"
            "Exit status:\n"
            "  the program's own exit status, or 128+N if signal N killed it\n"
            "  (134 when deadbyte stopped it with a report: SIGABRT);\n"
            "  125 if deadbyte itself failed (bad option, program it cannot\n"
            "      preload into: statically linked, set-user-ID);\n"
            "  126 if PROGRAM was found but cannot be executed;\n"
            "  127 if PROGRAM was not found.\n"
            "\n"
            "'deadbyte symbolize' adds function names, files and lines to a\n"
            "report saved by a program run without the launcher (with\n"
            "DEADBYTE_LOG_FILE, or from its standard error), reading it from\n"
            "REPORT-FILE or standard input.\n"
            "\n"
            "See deadbyte(1) and, for the reports, deadbyte(7).\n",
            "--list-options", "list every option: name, type, default, variable",
            "-h, --help", "show this help and exit",
            "-V, --version", "show the version and exit");
}

static void
list_options(void)
{
    for (size_t i = 0; i < N_ROWS; i++) {
        char dashed[64], env[64];
        spell(dashed, sizeof dashed, rows[i].name, false);
        spell(env, sizeof env, rows[i].name, true);
        printf("--%s\t%s\t%s\tDEADBYTE_%s\t%s\n", dashed, rows[i].type,
               *rows[i].def ? rows[i].def : "-", env, rows[i].help);
    }
}

/* Check VALUE for row NAME with the library's parser; 0 or 125. */
static int
check_value(const char *name, const char *value, const char *where)
{
    const char *expected = NULL;
    if (options_set(name, value, &expected) == 0)
        return 0;
    fprintf(stderr, "deadbyte: invalid value '%s' for %s: expected %s\n",
            value, where, expected);
    return EXIT_DEADBYTE_ERROR;
}

/* Every DEADBYTE_* variable the launcher was given must be known and
 * valid: the program would die of it otherwise, later and less clearly. */
static int
check_environment(void)
{
    for (char **env = environ; *env; env++) {
        if (strncmp(*env, "DEADBYTE_", 9) != 0)
            continue;
        const char *eq = strchr(*env, '=');
        char name[64];
        size_t len = (size_t)(eq - *env) - 9;
        if (!eq || len >= sizeof name) {
            fprintf(stderr, "deadbyte: unknown variable %s\n", *env);
            return EXIT_DEADBYTE_ERROR;
        }
        for (size_t i = 0; i < len; i++) {
            char c = (*env)[9 + i];
            name[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        name[len] = '\0';
        if (!options_known(name)) {
            fprintf(stderr,
                    "deadbyte: unknown variable %.*s in the environment "
                    "(see deadbyte --list-options)\n",
                    (int)(eq - *env), *env);
            return EXIT_DEADBYTE_ERROR;
        }
        char where[80];
        snprintf(where, sizeof where, "%.*s", (int)(eq - *env), *env);
        int status = check_value(name, eq + 1, where);
        if (status)
            return status;
    }
    return 0;
}

/*
 * --gdb: run gdb on the program, the preload library set for the program
 * only (not for gdb), with deadbyte's gdb helpers, which select the
 * program's frame when it stops at a --break-at block.
 */
static int
run_under_gdb(const char *path, char **args, const char *preload)
{
    char gdb[PATH_MAX];
    if (!launch_which("gdb", gdb)) {
        fprintf(stderr, "deadbyte: --gdb: gdb is not installed "
                        "(Debian: apt-get install gdb)\n");
        return EXIT_DEADBYTE_ERROR;
    }
    char *value = launch_preload_value(preload);
    size_t n_args = 0;
    while (args[n_args])
        n_args++;
    size_t len = strlen(value ? value : "") + 64;
    char *set_preload = malloc(len);
    char **gdb_argv = calloc(n_args + 16, sizeof *gdb_argv);
    if (!value || !set_preload || !gdb_argv) {
        fprintf(stderr, "deadbyte: out of memory\n");
        return EXIT_DEADBYTE_ERROR;
    }
    snprintf(set_preload, len, "set environment LD_PRELOAD=%s", value);
    size_t i = 0;
    gdb_argv[i++] = gdb;
    gdb_argv[i++] = "-q";
    gdb_argv[i++] = "-x";
    gdb_argv[i++] = (char *)launch_find_gdb_script();
    gdb_argv[i++] = "-ex";
    gdb_argv[i++] = "set startup-with-shell off";
    gdb_argv[i++] = "-ex";
    gdb_argv[i++] = set_preload;
    gdb_argv[i++] = "-ex";
    gdb_argv[i++] = "run";
    gdb_argv[i++] = "--args";
    gdb_argv[i++] = (char *)path;
    for (size_t a = 1; a < n_args; a++)
        gdb_argv[i++] = args[a];
    int status = launch_run(gdb, gdb_argv, NULL);
    free(gdb_argv);
    free(set_preload);
    free(value);
    return status;
}

int
main(int argc, char **argv)
{
    struct option longopts[N_ROWS + 5];
    char names[N_ROWS][64];
    int stats_row = -1;
    for (size_t i = 0; i < N_ROWS; i++) {
        if (strcmp(rows[i].name, "mallocstats") == 0)
            stats_row = (int)i;
        spell(names[i], sizeof names[i], rows[i].name, false);
        bool is_bool = strcmp(rows[i].type, "BOOL") == 0;
        longopts[i] = (struct option){names[i],
                                      is_bool ? optional_argument
                                              : required_argument,
                                      NULL, OPT_ROW + (int)i};
    }
    longopts[N_ROWS] = (struct option){"help", no_argument, NULL, OPT_HELP};
    longopts[N_ROWS + 1] = (struct option){"version", no_argument, NULL, OPT_VERSION};
    longopts[N_ROWS + 2] = (struct option){"list-options", no_argument, NULL, OPT_LIST};
    /* --stats: the short name of --mallocstats (the variable keeps
     * CPython's PYTHONMALLOCSTATS spelling). */
    longopts[N_ROWS + 3] =
        (struct option){"stats", optional_argument, NULL, OPT_ROW + stats_row};
    longopts[N_ROWS + 4] = (struct option){NULL, 0, NULL, 0};

    /* `deadbyte symbolize [FILE]`: file and line for a saved report. */
    if (argc >= 2 && strcmp(argv[1], "symbolize") == 0) {
        if (argc > 3) {
            fprintf(stderr, "Usage: deadbyte symbolize [REPORT-FILE]\n");
            return EXIT_DEADBYTE_ERROR;
        }
        FILE *in = argc == 3 ? fopen(argv[2], "r") : stdin;
        if (!in) {
            fprintf(stderr, "deadbyte: %s: %s\n", argv[2], strerror(errno));
            return EXIT_DEADBYTE_ERROR;
        }
        return symbolize_stream(in, stdout) ? EXIT_DEADBYTE_ERROR : 0;
    }

    int status = check_environment();
    if (status)
        return status;

    int c;
    opterr = 0;
    /* "+": options end at the program's name; its own options are its. */
    while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
        if (c == OPT_HELP) {
            usage(stdout);
            return 0;
        }
        if (c == OPT_VERSION) {
            printf("deadbyte %s\n", PACKAGE_VERSION);
            return 0;
        }
        if (c == OPT_LIST) {
            list_options();
            return 0;
        }
        if (c >= OPT_ROW && c < OPT_ROW + (int)N_ROWS) {
            const struct row *row = &rows[c - OPT_ROW];
            const char *value = optarg ? optarg : "1";
            char where[80], env[64];
            snprintf(where, sizeof where, "--%s", names[c - OPT_ROW]);
            if ((status = check_value(row->name, value, where)))
                return status;
            spell(env, sizeof env, row->name, true);
            char var[80];
            snprintf(var, sizeof var, "DEADBYTE_%s", env);
            setenv(var, value, 1);
            continue;
        }
        if (optopt)
            fprintf(stderr, "deadbyte: invalid option '-%c'\n", optopt);
        else
            fprintf(stderr, "deadbyte: invalid option '%s'\n", argv[optind - 1]);
        fprintf(stderr, "Try 'deadbyte --help' for more information.\n");
        return EXIT_DEADBYTE_ERROR;
    }
    if (optind >= argc) {
        fprintf(stderr, "deadbyte: no program to run\n"
                        "Try 'deadbyte --help' for more information.\n");
        return EXIT_DEADBYTE_ERROR;
    }

    char path[PATH_MAX];
    if ((status = launch_check(argv[optind], path)))
        return status;
    const char *preload = launch_find_preload();
    if (!preload)
        return EXIT_DEADBYTE_ERROR;

    /* Reports go to a directory: the program may close its fd 2, and its
     * children report there too.  --report-dir keeps them; else the
     * launcher makes a private one and removes it. */
    options_init();
    FILE *out = stderr;
    if (options.log_file && *options.log_file) {
        /* Private, as the library makes it: reports hold heap bytes. */
        int fd = open(options.log_file,
                      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        out = fd >= 0 ? fdopen(fd, "a") : NULL;
        if (!out) {
            fprintf(stderr, "deadbyte: %s: %s\n", options.log_file,
                    strerror(errno));
            return EXIT_DEADBYTE_ERROR;
        }
        unsetenv("DEADBYTE_LOG_FILE");
    }
    bool keep = options.report_dir && *options.report_dir;
    struct stat st;
    if (keep && (stat(options.report_dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        fprintf(stderr, "deadbyte: --report-dir %s: not a directory\n",
                options.report_dir);
        return EXIT_DEADBYTE_ERROR;
    }
    char *dir = keep ? strdup(options.report_dir) : reports_make_dir();
    if (!dir)
        return EXIT_DEADBYTE_ERROR;
    /* Else each process would find no room for its report file's name. */
    if (strlen(dir) > REPORT_DIR_MAX) {
        fprintf(stderr, "deadbyte: %s %s: too long for the report files "
                        "in it (%zu bytes; at most %zu)\n",
                keep ? "--report-dir" : "report directory", dir,
                strlen(dir), (size_t)REPORT_DIR_MAX);
        if (!keep)
            rmdir(dir);
        free(dir);
        return EXIT_DEADBYTE_ERROR;
    }
    setenv("DEADBYTE_REPORT_DIR", dir, 1);
    /* Leak reports are on by default under the launcher (not in the
     * library alone, which cannot sort out suppressions). */
    setenv("DEADBYTE_LEAKS", "definite", 0);
    if (reports_load_suppressions(options.suppressions) != 0)
        return EXIT_DEADBYTE_ERROR;
    time_t started = time(NULL);

    if (options.break_at.count && !options.serialno) {
        fprintf(stderr, "deadbyte: --break-at needs serial numbers, which "
                        "--serialno=0 turns off\n");
        return EXIT_DEADBYTE_ERROR;
    }
    if (options.gdb)
        status = run_under_gdb(path, argv + optind, preload);
    else
        status = launch_run(path, argv + optind, preload);
    struct reports_summary summary = reports_print(dir, out, !keep, started);
    free(dir);
    if (out != stderr)
        fclose(out);
    /* Leaks change the exit status only when asked, and only that of a
     * program that succeeded otherwise. */
    if (status == 0 && summary.leaked_blocks > 0 && options.leak_exitcode)
        return (int)(options.leak_exitcode & 0xff);
    return status;
}
