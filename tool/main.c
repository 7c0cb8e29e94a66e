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

#include "gdb_run.h"
#include "launch.h"
#include "options.h"
#include "printable.h"
#include "records.h"
#include "render.h"
#include "report_file.h"
#include "reports.h"
#include "supervise.h"

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
    if (strcmp(row->type, "MALLOC") == 0 || strcmp(row->type, "GUARD") == 0)
        return " MODE";
    if (strcmp(row->type, "FORMAT") == 0)
        return " FORMAT";
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
            "  with --keep-going, that of --error-exitcode if it reported\n"
            "      errors and the program exited with 0;\n"
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

/*
 * The BOOL trap: "--serialno 0 ./prog" would run a program called "0",
 * since a BOOL value must be attached with '='.  A word that reads as a
 * value right after a BOOL option given bare is taken for a slip, not
 * for a program: "true" and "false" too, which a user means to run as
 * "-- true" or "/bin/true".  True when WORD is such a word.
 */
static bool
is_bool_word(const char *word)
{
    static const char *const words[] = {"0",  "1",   "yes",  "no",
                                        "on", "off", "true", "false"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(word, words[i]) == 0)
            return true;
    return false;
}

/* Check VALUE for row NAME with the library's parser; 0 or 125. */
static int
check_value(const char *name, const char *value, const char *where)
{
    const char *expected = NULL;
    if (options_set(name, value, &expected) == 0)
        return 0;
    fprintf(stderr, "deadbyte: invalid value '%s' for %s: expected %s\n",
            printable(value), where, expected);
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
        size_t len = eq ? (size_t)(eq - *env) - 9 : sizeof name;
        if (len >= sizeof name) {
            fprintf(stderr, "deadbyte: unknown variable %s\n",
                    printable(*env));
            return EXIT_DEADBYTE_ERROR;
        }
        bool upper_case = true;
        for (size_t i = 0; i < len; i++) {
            char c = (*env)[9 + i];
            if (c >= 'a' && c <= 'z')
                upper_case = false; /* the library knows DEADBYTE_FRAMES only */
            name[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        name[len] = '\0';
        if (!upper_case || !options_known(name)) {
            char variable[80];
            snprintf(variable, sizeof variable, "%.*s", (int)(eq - *env), *env);
            fprintf(stderr,
                    "deadbyte: unknown variable %s in the environment "
                    "(see deadbyte --list-options)\n",
                    printable(variable));
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
 * Say in one line what is wrong with the option WORD, on which
 * getopt_long() returned C: ':' for a missing (or empty) value, '?' for
 * an unknown or ambiguous option or a value given to one that takes
 * none.  WORD is what the user typed, quoted printable: getopt's own
 * optopt is a table index for long options, not a character.
 */
static void
bad_option(int c, const char *word, const struct option *longopts)
{
    if (strncmp(word, "--", 2) != 0) {
        /* A short option: -h and -V are the only ones. */
        char dash[3] = {'-', (char)optopt, '\0'};
        fprintf(stderr, "deadbyte: unknown option '%s' (see deadbyte "
                        "--help)\n", printable(dash));
        return;
    }
    const char *name = word + 2;
    size_t len = strcspn(name, "=");
    const struct option *exact = NULL, *match = NULL;
    size_t matches = 0;
    for (const struct option *o = longopts; o->name; o++) {
        if (strncmp(o->name, name, len) != 0)
            continue;
        matches++;
        match = o;
        if (strlen(o->name) == len)
            exact = o;
    }
    if (exact)
        match = exact;
    char typed[1024]; /* as long as printable() makes it */
    snprintf(typed, sizeof typed, "%s", printable(word));
    if (len > 0)
        typed[strcspn(typed, "=")] = '\0'; /* the option, not its value */
    if (c == ':') {
        int row = optopt - OPT_ROW;
        if (match && row >= 0 && row < (int)N_ROWS) {
            fprintf(stderr, "deadbyte: option '--%s' needs a value: --%s%s\n",
                    match->name, match->name, value_word(&rows[row]));
        } else {
            fprintf(stderr, "deadbyte: option '%s' needs a value\n", typed);
        }
        return;
    }
    if (matches == 0 || len == 0) {
        fprintf(stderr, "deadbyte: unknown option '%s' (see deadbyte "
                        "--help)\n", typed);
        return;
    }
    if (!exact && matches > 1) {
        fprintf(stderr, "deadbyte: ambiguous option '%s': it could be", typed);
        size_t shown = 0;
        for (const struct option *o = longopts; o->name; o++)
            if (strncmp(o->name, name, len) == 0)
                fprintf(stderr, "%s--%s", shown++ == 0 ? " " : ", ", o->name);
        fputc('\n', stderr);
        return;
    }
    /* A single match, so the value is what getopt refused. */
    fprintf(stderr, "deadbyte: option '--%s' takes no value\n", match->name);
}

int
main(int argc, char **argv)
{
    struct option longopts[N_ROWS + 6];
    char names[N_ROWS][64];
    int stats_row = -1, log_file_row = -1;
    for (size_t i = 0; i < N_ROWS; i++) {
        if (strcmp(rows[i].name, "mallocstats") == 0)
            stats_row = (int)i;
        if (strcmp(rows[i].name, "log_file") == 0)
            log_file_row = (int)i;
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
    /* --output: --log-file's other name, for --format's machine
     * formats as much as for text. */
    longopts[N_ROWS + 4] = (struct option){"output", required_argument, NULL,
                                           OPT_ROW + log_file_row};
    longopts[N_ROWS + 5] = (struct option){NULL, 0, NULL, 0};

    /* `deadbyte symbolize [FILE]`: file and line for a saved report. */
    if (argc >= 2 && strcmp(argv[1], "symbolize") == 0) {
        if (argc > 3) {
            fprintf(stderr, "deadbyte: symbolize takes one REPORT-FILE at "
                            "most (see deadbyte --help)\n");
            return EXIT_DEADBYTE_ERROR;
        }
        FILE *in = argc == 3 ? fopen(argv[2], "r") : stdin;
        if (!in) {
            fprintf(stderr, "deadbyte: %s: %s\n", printable(argv[2]),
                    strerror(errno));
            return EXIT_DEADBYTE_ERROR;
        }
        /* Records (a report file of the launcher's directory, kept with
         * --report-dir), or a text report (DEADBYTE_LOG_FILE). */
        struct report_file file;
        int failed = records_read(in, argc == 3 ? argv[2] : "-", &file);
        bool read_error = ferror(in);
        if (in != stdin)
            fclose(in);
        if (failed)
            return EXIT_DEADBYTE_ERROR;
        if (!file.is_text)
            records_symbolize(&file);
        render_text_file(stdout, &file);
        records_free(&file);
        return read_error || fflush(stdout) != 0 ? EXIT_DEADBYTE_ERROR : 0;
    }

    int status = check_environment();
    if (status)
        return status;
    /* The report directory of an outer deadbyte, if this one runs under
     * it: not made until a process has a report (see below). */
    const char *outer_dir = getenv("DEADBYTE_REPORT_DIR");
    char *inherited_dir = outer_dir ? strdup(outer_dir) : NULL;

    /* The whole command line is checked before --help, --version or
     * --list-options act (the first of them given). */
    int info = 0;
    int c;
    opterr = 0;
    /* "+": options end at the program's name; its own options are its.
     * ":": a missing value is told apart from an unknown option. */
    for (;;) {
        const char *word = optind < argc ? argv[optind] : "";
        c = getopt_long(argc, argv, "+:hV", longopts, NULL);
        if (c == -1)
            break;
        if (c == OPT_HELP || c == OPT_VERSION || c == OPT_LIST) {
            if (!info)
                info = c;
            continue;
        }
        if (c >= OPT_ROW && c < OPT_ROW + (int)N_ROWS && optarg && !*optarg) {
            optopt = c; /* --name= : an empty value is no value */
            c = ':';
        }
        if (c >= OPT_ROW && c < OPT_ROW + (int)N_ROWS) {
            const struct row *row = &rows[c - OPT_ROW];
            /* argv[optind] is the next word as typed: in "--gdb -- true"
             * it is "--", which getopt steps over only later. */
            if (!optarg && strcmp(row->type, "BOOL") == 0 && optind < argc &&
                strcmp(argv[optind - 1], word) == 0 &&
                is_bool_word(argv[optind])) {
                fprintf(stderr, "deadbyte: did you mean %s=%s?\n",
                        printable(word), argv[optind]);
                return EXIT_DEADBYTE_ERROR;
            }
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
        bad_option(c, word, longopts);
        return EXIT_DEADBYTE_ERROR;
    }
    if (info == OPT_HELP) {
        usage(stdout);
        return 0;
    }
    if (info == OPT_VERSION) {
        printf("deadbyte %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (info == OPT_LIST) {
        list_options();
        return 0;
    }
    if (optind >= argc) {
        fprintf(stderr, "deadbyte: no program to run (see deadbyte --help)\n");
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
    if (options.break_at.count && !options.serialno) {
        fprintf(stderr, "deadbyte: --break-at needs serial numbers, which "
                        "--serialno=0 turns off\n");
        return EXIT_DEADBYTE_ERROR;
    }
    if (reports_load_suppressions(options.suppressions) != 0)
        return EXIT_DEADBYTE_ERROR;
    FILE *out = stderr;
    if (options.log_file && *options.log_file) {
        /* Private, as the library makes it: reports hold heap bytes.
         * A SARIF file is one log: written afresh, not appended to. */
        int fd = open(options.log_file,
                      O_WRONLY | O_CREAT | O_CLOEXEC |
                          (options.format == FORMAT_SARIF ? O_TRUNC : O_APPEND),
                      0600);
        out = fd >= 0 ? fdopen(fd, options.format == FORMAT_SARIF ? "w" : "a")
                      : NULL;
        if (!out) {
            fprintf(stderr, "deadbyte: %s: %s\n", printable(options.log_file),
                    strerror(errno));
            return EXIT_DEADBYTE_ERROR;
        }
        unsetenv("DEADBYTE_LOG_FILE");
    }
    bool keep = options.report_dir && *options.report_dir;
    struct stat st;
    /* Made by the first process with a report, so maybe not yet: make
     * it now, as that process would.  One named on the command line must
     * exist. */
    if (keep && inherited_dir &&
        strcmp(inherited_dir, options.report_dir) == 0 &&
        stat(options.report_dir, &st) != 0 && errno == ENOENT)
        report_file_make_pending_dir(options.report_dir);
    free(inherited_dir);
    if (keep && (stat(options.report_dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        fprintf(stderr, "deadbyte: --report-dir %s: not a directory\n",
                printable(options.report_dir));
        return EXIT_DEADBYTE_ERROR;
    }
    /* From here on, no signal may end the launcher before it has removed
     * the directory it names: they wait, or go to the program.  --gdb
     * writes its status file there at once; else the program's first
     * process with a report makes it, and a run without one makes none. */
    supervise_hold_signals();
    /* Absolute: the program's processes may change directory. */
    char *dir = keep ? realpath(options.report_dir, NULL)
                     : reports_make_dir(options.gdb);
    if (!dir) {
        if (keep)
            fprintf(stderr, "deadbyte: --report-dir %s: %s\n",
                    printable(options.report_dir), strerror(errno));
        return EXIT_DEADBYTE_ERROR;
    }
    /* Else each process would find no room for its report file's name. */
    if (strlen(dir) > REPORT_DIR_MAX) {
        fprintf(stderr, "deadbyte: %s %s: too long for the report files "
                        "in it (%zu bytes; at most %zu)\n",
                keep ? "--report-dir" : "report directory", printable(dir),
                strlen(dir), (size_t)REPORT_DIR_MAX);
        if (!keep && options.gdb)
            rmdir(dir);
        else if (!keep)
            reports_end_pending(dir);
        free(dir);
        return EXIT_DEADBYTE_ERROR;
    }
    setenv("DEADBYTE_REPORT_DIR", dir, 1);
    /* Leak reports are on by default under the launcher (not in the
     * library alone, which cannot sort out suppressions). */
    setenv("DEADBYTE_LEAKS", "definite", 0);
    time_t started = time(NULL);

    if (options.gdb)
        status = gdb_run(path, argv + optind, preload, dir);
    else
        status = launch_run(path, argv + optind, preload);
    if (!keep && !options.gdb)
        reports_end_pending(dir);
    struct reports_summary summary = reports_print(dir, out, !keep, started,
                                                 status);
    free(dir);
    if (out != stderr)
        fclose(out);
    /* A signal that came meanwhile ends the launcher now, cleaned up. */
    supervise_release();
    /* --keep-going: a run that reached its end, having reported errors.
     * One that a report stopped ended with 134 already. */
    if (status == 0 && summary.errors > 0 && options.keep_going &&
        options.error_exitcode)
        return (int)(options.error_exitcode & 0xff);
    /* Leaks change the exit status only when asked, and only that of a
     * program that succeeded otherwise. */
    if (status == 0 && summary.leaked_blocks > 0 && options.leak_exitcode)
        return (int)(options.leak_exitcode & 0xff);
    return status;
}
