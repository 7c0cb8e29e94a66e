/* SPDX-License-Identifier: MIT */
/*
 * modes.c -- the names of the allocator modes (DEADBYTE_MALLOC) and their
 * parser.  Pure: no state and nothing of the library, so that the
 * launcher can link it to check its --malloc option before it starts the
 * program.
 */
#include "config.h"

#include "modes.h"

#include <string.h>

/* In the order of enum modes_mode. */
static const char *const names[] = {
    "default", "debug", "malloc", "malloc_debug", "pymalloc", "pymalloc_debug",
};

#define N_MODES (sizeof names / sizeof names[0])

int
modes_parse(const char *value, const char **expected)
{
    for (size_t i = 0; i < N_MODES; i++)
        if (strcmp(value, names[i]) == 0)
            return (int)i;
    if (expected)
        *expected = "default, debug, malloc, malloc_debug, pymalloc or "
                    "pymalloc_debug";
    return -1;
}
