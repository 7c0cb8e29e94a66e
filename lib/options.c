/* SPDX-License-Identifier: MIT */
/*
 * options.c -- parse the DEADBYTE_* environment variables into `options`.
 * Runs inside the allocator, possibly before the C library has finished
 * starting: it scans `environ` itself (getenv may not be ready and we must
 * not allocate) and writes errors with write(2).
 */
#include "config.h"

#include "options.h"

#include "fmt.h"
#include "modes.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char **environ;

struct options options;

enum option_type {
    OPTION_BOOL,
    OPTION_COUNT,
    OPTION_SIZE,
    OPTION_PATH,
    OPTION_LEAKS,
    OPTION_SERIALS,
    OPTION_BREAK,
    OPTION_MALLOC,
    OPTION_GUARD,
    OPTION_FORMAT,
};

/*
 * PATH values are copied here: the environment strings they come from
 * may be overwritten later by the program (setproctitle() does that).
 */
#define PATH_STORAGE 4096
#define OPTION_STORAGE_BOOL(name)
#define OPTION_STORAGE_COUNT(name)
#define OPTION_STORAGE_SIZE(name)
#define OPTION_STORAGE_LEAKS(name)
#define OPTION_STORAGE_SERIALS(name)
#define OPTION_STORAGE_BREAK(name)
#define OPTION_STORAGE_MALLOC(name)
#define OPTION_STORAGE_GUARD(name)
#define OPTION_STORAGE_FORMAT(name)
#define OPTION_STORAGE_PATH(name) static char storage_##name[PATH_STORAGE];
#define DEADBYTE_OPTION(name, type, def, help) OPTION_STORAGE_##type(name)
#include "options.def"
#undef DEADBYTE_OPTION
#define OPTION_STORAGE_PTR_BOOL(name) NULL
#define OPTION_STORAGE_PTR_COUNT(name) NULL
#define OPTION_STORAGE_PTR_SIZE(name) NULL
#define OPTION_STORAGE_PTR_LEAKS(name) NULL
#define OPTION_STORAGE_PTR_SERIALS(name) NULL
#define OPTION_STORAGE_PTR_BREAK(name) NULL
#define OPTION_STORAGE_PTR_MALLOC(name) NULL
#define OPTION_STORAGE_PTR_GUARD(name) NULL
#define OPTION_STORAGE_PTR_FORMAT(name) NULL
#define OPTION_STORAGE_PTR_PATH(name) storage_##name

struct option_row {
    const char *name;
    enum option_type type;
    const char *def;
    void *value;
    char *storage; /* PATH rows: PATH_STORAGE bytes */
};

static const struct option_row rows[] = {
#define DEADBYTE_OPTION(name, type, def, help)                                 \
    {#name, OPTION_##type, def, &options.name, OPTION_STORAGE_PTR_##type(name)},
#include "options.def"
#undef DEADBYTE_OPTION
};

#define N_ROWS (sizeof rows / sizeof rows[0])

static const char bool_expected[] =
    "a boolean (1/0, yes/no, on/off, true/false)";

static int
parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "yes", "on", "true"};
    static const char *const no[] = {"0", "no", "off", "false"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

/*
 * Decimal digits, then (SIZE only) one of K, M, G (powers of 1024).
 * Strict: no sign, no space, no other suffix, no overflow.
 */
static int
parse_number(const char *s, bool with_suffix, size_t *out)
{
    size_t value = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        size_t digit = (size_t)(*p - '0');
        if (value > (SIZE_MAX - digit) / 10)
            return -1;
        value = value * 10 + digit;
    }
    if (with_suffix && *p) {
        unsigned shift = *p == 'K' ? 10 : *p == 'M' ? 20 : *p == 'G' ? 30 : 0;
        if (shift == 0 || p[1] || value > (SIZE_MAX >> shift))
            return -1;
        value <<= shift;
        p++;
    }
    if (*p)
        return -1;
    *out = value;
    return 0;
}

/* "no", "all", "sample:N" (N at least 1) or "size:SIZE", each maybe
 * followed by ",underflow". */
static int
parse_guard(const char *s, struct guard_option *out)
{
    struct guard_option guard = {GUARD_NO, 0, false};
    char word[32];
    size_t len = strcspn(s, ",");
    if (len >= sizeof word)
        return -1;
    memcpy(word, s, len);
    word[len] = '\0';
    if (s[len] != '\0') {
        if (strcmp(s + len, ",underflow") != 0)
            return -1;
        guard.underflow = true;
    }
    if (strcmp(word, "no") == 0) {
        if (guard.underflow)
            return -1;
    } else if (strcmp(word, "all") == 0) {
        guard.mode = GUARD_ALL;
    } else if (strncmp(word, "sample:", 7) == 0) {
        guard.mode = GUARD_SAMPLE;
        if (parse_number(word + 7, false, &guard.n) != 0 || guard.n == 0)
            return -1;
    } else if (strncmp(word, "size:", 5) == 0) {
        guard.mode = GUARD_SIZE;
        if (parse_number(word + 5, true, &guard.n) != 0)
            return -1;
    } else {
        return -1;
    }
    *out = guard;
    return 0;
}

static int
parse_row(const struct option_row *row, const char *value,
          const char **expected)
{
    switch (row->type) {
    case OPTION_BOOL:
        if (parse_bool(value, row->value) == 0)
            return 0;
        if (expected)
            *expected = bool_expected;
        return -1;
    case OPTION_COUNT:
        if (parse_number(value, false, row->value) == 0)
            return 0;
        if (expected)
            *expected = "a whole number such as 16";
        return -1;
    case OPTION_SIZE:
        if (parse_number(value, true, row->value) == 0)
            return 0;
        if (expected)
            *expected = "a size in bytes such as 4096, 64K, 16M or 1G";
        return -1;
    case OPTION_LEAKS: {
        static const char *const modes[] = {"no", "definite", "all"};
        for (size_t i = 0; i < 3; i++)
            if (strcmp(value, modes[i]) == 0) {
                *(enum leaks_mode *)row->value = (enum leaks_mode)i;
                return 0;
            }
        if (expected)
            *expected = "no, definite or all";
        return -1;
    }
    case OPTION_BREAK:
        if (strcmp(value, "print") == 0 || strcmp(value, "trap") == 0) {
            *(enum break_action *)row->value =
                value[0] == 'p' ? BREAK_PRINT : BREAK_TRAP;
            return 0;
        }
        if (expected)
            *expected = "print or trap";
        return -1;
    case OPTION_FORMAT: {
        static const char *const formats[] = {"text", "json", "sarif"};
        for (size_t i = 0; i < 3; i++)
            if (strcmp(value, formats[i]) == 0) {
                *(enum report_format *)row->value = (enum report_format)i;
                return 0;
            }
        if (expected)
            *expected = "text, json or sarif";
        return -1;
    }
    case OPTION_MALLOC: {
        int mode = modes_parse(value, expected);
        if (mode < 0)
            return -1;
        *(enum modes_mode *)row->value = (enum modes_mode)mode;
        return 0;
    }
    case OPTION_GUARD:
        if (parse_guard(value, row->value) == 0)
            return 0;
        if (expected)
            *expected = "no, all, sample:N or size:SIZE, maybe followed by "
                        ",underflow (such as sample:5000 or all,underflow)";
        return -1;
    case OPTION_SERIALS: {
        /* "12,345": each a serial number, so at least 1. */
        struct serial_list list = {0, {0}};
        const char *s = value;
        while (*s) {
            char number[24];
            size_t len = strcspn(s, ",");
            size_t serial;
            if (len == 0 || len >= sizeof number ||
                list.count == OPTION_MAX_SERIALS)
                goto bad_serials;
            memcpy(number, s, len);
            number[len] = '\0';
            if (parse_number(number, false, &serial) != 0 || serial == 0)
                goto bad_serials;
            list.serial[list.count++] = serial;
            s += len;
            if (*s == ',' && *++s == '\0')
                goto bad_serials;
        }
        *(struct serial_list *)row->value = list;
        return 0;
    bad_serials:
        if (expected)
            *expected = "serial numbers such as 12 or 12,345 (at most 16, "
                        "each at least 1)";
        return -1;
    }
    case OPTION_PATH:
        if (strlen(value) >= PATH_STORAGE) {
            if (expected)
                *expected = "a file name shorter than 4096 bytes";
            return -1;
        }
        strcpy(row->storage, value);
        *(const char **)row->value = row->storage;
        return 0;
    }
    return -1;
}

bool
options_known(const char *name)
{
    for (size_t i = 0; i < N_ROWS; i++)
        if (strcmp(rows[i].name, name) == 0)
            return true;
    return false;
}

int
options_set(const char *name, const char *value, const char **expected)
{
    for (size_t i = 0; i < N_ROWS; i++)
        if (strcmp(rows[i].name, name) == 0)
            return parse_row(&rows[i], value, expected);
    if (expected)
        *expected = "a known option name";
    return -1;
}

/*
 * Does the environment entry ENTRY ("DEADBYTE_SERIALNO=0") name the option
 * NAME ("serialno")?  If so, return a pointer to its value.
 */
static const char *
env_value_for(const char *entry, const char *name)
{
    const char *e = entry + sizeof "DEADBYTE_" - 1;
    for (; *name; name++, e++) {
        char upper = (*name >= 'a' && *name <= 'z') ? *name - 'a' + 'A' : *name;
        if (*e != upper)
            return NULL;
    }
    return *e == '=' ? e + 1 : NULL;
}

static _Noreturn void
die_bad_variable(const char *entry, const char *value, const char *expected)
{
    struct fmt out;
    fmt_open(&out, 2);
    size_t name_len = value ? (size_t)(value - 1 - entry) : strcspn(entry, "=");
    if (value) {
        fmt_str(&out, "deadbyte: invalid value '");
        fmt_str(&out, value);
        fmt_str(&out, "' for ");
        fmt_mem(&out, entry, name_len);
        fmt_str(&out, ": expected ");
        fmt_str(&out, expected);
        fmt_str(&out, "\n");
    } else {
        fmt_str(&out, "deadbyte: unknown variable ");
        fmt_mem(&out, entry, name_len);
        fmt_str(&out, " in the environment; deadbyte knows:");
        for (size_t i = 0; i < N_ROWS; i++) {
            fmt_str(&out, " DEADBYTE_");
            for (const char *c = rows[i].name; *c; c++)
                fmt_char(&out, (*c >= 'a' && *c <= 'z') ? *c - 'a' + 'A' : *c);
        }
        fmt_str(&out, "\n");
    }
    fmt_flush(&out);
    abort();
}

static void read_entry(const char *entry);

static void
read_environment(void)
{
    for (size_t i = 0; i < N_ROWS; i++)
        if (parse_row(&rows[i], rows[i].def, NULL) != 0)
            abort(); /* A bad default in options.def: a bug caught by tests. */

    if (environ) {
        for (char **env = environ; *env; env++)
            read_entry(*env);
        return;
    }
    /*
     * environ is NULL only in the first instants of a process, when the
     * dynamic loader may already allocate: read the environment the
     * kernel gave the process instead, so that the block layout chosen
     * now is the one the options ask for.
     */
    static char initial[65536];
    int fd = open("/proc/self/environ", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    size_t len = 0;
    ssize_t n;
    while (len < sizeof initial - 1 &&
           (n = read(fd, initial + len, sizeof initial - 1 - len)) > 0)
        len += (size_t)n;
    close(fd);
    initial[len] = '\0';
    for (size_t at = 0; at < len; at += strlen(initial + at) + 1)
        read_entry(initial + at);
}

/*
 * A set-user-ID or set-group-ID program (or one given capabilities by its
 * file) runs with privileges its user lacks, in an environment that user
 * wrote: as glibc does with MALLOC_TRACE, take no file name from it, or
 * the user could have a file made or appended to wherever the program
 * may write, holding text of their choosing (its arguments).  The other
 * options change only the checks and what reports say, on the program's
 * own standard error.
 */
static bool
secure_execution(void)
{
    return getauxval(AT_SECURE) != 0;
}

/* "deadbyte: DEADBYTE_LOG_FILE is ignored: ..." -- never silently. */
static void
note_ignored(const char *entry)
{
    struct fmt out;
    fmt_open(&out, 2);
    fmt_str(&out, "deadbyte: ");
    fmt_mem(&out, entry, strcspn(entry, "="));
    fmt_str(&out, " is ignored: this program runs set-user-ID, "
                  "set-group-ID or with capabilities, and deadbyte opens "
                  "no file its user names (reports go to standard "
                  "error)\n");
    fmt_flush(&out);
}

/* Parse ENTRY ("NAME=value") if it is one of ours. */
static void
read_entry(const char *entry)
{
    if (strncmp(entry, "DEADBYTE_", sizeof "DEADBYTE_" - 1) != 0)
        return;
    const char *value = NULL;
    size_t i;
    for (i = 0; i < N_ROWS; i++)
        if ((value = env_value_for(entry, rows[i].name)))
            break;
    if (i == N_ROWS)
        die_bad_variable(entry, NULL, NULL);
    if (rows[i].type == OPTION_PATH && secure_execution()) {
        note_ignored(entry);
        return;
    }
    const char *expected = NULL;
    if (parse_row(&rows[i], value, &expected) != 0)
        die_bad_variable(entry, value, expected);
}

/* 0: not read, 1: being read by some thread, 2: ready. */
static atomic_int state;

bool
options_ready(void)
{
    return atomic_load_explicit(&state, memory_order_acquire) == 2;
}

void
options_init(void)
{
    if (options_ready())
        return;
    int expected = 0;
    if (atomic_compare_exchange_strong(&state, &expected, 1)) {
        read_environment();
        atomic_store_explicit(&state, 2, memory_order_release);
        return;
    }
    /* Another thread is reading; it takes microseconds and never blocks. */
    while (!options_ready())
        ;
}
