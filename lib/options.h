/* SPDX-License-Identifier: MIT */
/*
 * options.h -- the values of deadbyte's options (rows of options.def),
 * read once from the DEADBYTE_* environment variables.  Reading runs
 * inside the allocator, so it never calls malloc or stdio.
 */
#ifndef DEADBYTE_OPTIONS_H
#define DEADBYTE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "modes.h"

/* The C type that holds a value of each option type. */
#define OPTION_CTYPE_BOOL bool
#define OPTION_CTYPE_PATH const char *
#define OPTION_CTYPE_COUNT size_t
#define OPTION_CTYPE_SIZE size_t
#define OPTION_CTYPE_LEAKS enum leaks_mode

enum leaks_mode { LEAKS_NO, LEAKS_DEFINITE, LEAKS_ALL };
enum break_action { BREAK_PRINT, BREAK_TRAP };

#define OPTION_MAX_SERIALS 16
struct serial_list {
    size_t count;
    size_t serial[OPTION_MAX_SERIALS];
};
#define OPTION_CTYPE_SERIALS struct serial_list
#define OPTION_CTYPE_BREAK enum break_action
#define OPTION_CTYPE_MALLOC enum modes_mode

/* --guard-pages: which blocks get a PROT_NONE page against their data. */
enum guard_mode {
    GUARD_NO,     /* none */
    GUARD_SAMPLE, /* one block in N, per thread */
    GUARD_SIZE,   /* every block of at least N bytes */
    GUARD_ALL,    /* every block */
};
struct guard_option {
    enum guard_mode mode;
    size_t n;       /* GUARD_SAMPLE: N; GUARD_SIZE: the least size */
    bool underflow; /* the page before the data instead of after it */
};
#define OPTION_CTYPE_GUARD struct guard_option

/* --format: how the launcher writes the reports (the library ignores it). */
enum report_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_SARIF };
#define OPTION_CTYPE_FORMAT enum report_format

struct options {
#define DEADBYTE_OPTION(name, type, def, help) OPTION_CTYPE_##type name;
#include "options.def"
#undef DEADBYTE_OPTION
};

/* Fast access for the hot path: valid once options_init() has run. */
extern struct options options;

/*
 * options_init - fill `options` from the environment, once; later calls
 * return at once.  Any thread may call it, also before constructors run.
 * An unknown DEADBYTE_* variable or a bad value is a fatal error (message
 * naming the variable, the value and what was expected; abort()).
 */
void options_init(void);

/* True if NAME (lower case, "serialno") is a row of the table. */
bool options_known(const char *name);

/* True once options_init() has finished in some thread. */
bool options_ready(void);

/*
 * options_set - parse VALUE for the option called NAME (the lower-case
 * row name) and store it.  Returns 0, or -1 if NAME is unknown or VALUE
 * does not parse; then *EXPECTED (if not NULL) describes what was
 * expected.  Used by options_init() and by the tests.
 */
int options_set(const char *name, const char *value, const char **expected);

#endif
