/* SPDX-License-Identifier: MIT */
/*
 * modes.h -- the allocator modes of DEADBYTE_MALLOC (CPython's
 * PYTHONMALLOC): which allocator each domain sits on, and whether the
 * debug hooks are on top.
 *
 *   mode            raw     mem, obj   hooks
 *   default, debug  libc    smallobj   yes
 *   malloc          libc    libc       no
 *   malloc_debug    libc    libc       yes
 *   pymalloc        libc    smallobj   no
 *   pymalloc_debug  libc    smallobj   yes
 *
 * deadbyte is a debugger, so "default" is "debug" (CPython's default is
 * pymalloc without hooks).  The parser (modes.c) is pure, so that the
 * launcher can link it to check --malloc; applying a mode (modes_apply.c)
 * needs the library.
 */
#ifndef DEADBYTE_MODES_H
#define DEADBYTE_MODES_H

enum modes_mode {
    MODES_DEFAULT,
    MODES_DEBUG,
    MODES_MALLOC,
    MODES_MALLOC_DEBUG,
    MODES_PYMALLOC,
    MODES_PYMALLOC_DEBUG,
};

/*
 * modes_parse - the mode named VALUE ("pymalloc_debug"), or -1 if there
 * is none: then *EXPECTED (if not NULL) lists the valid names, for the
 * message "invalid value 'x' for DEADBYTE_MALLOC: expected ...".
 */
int modes_parse(const char *value, const char **expected);

/*
 * modes_apply - set the three domains' allocators as MODE says, with the
 * debug hooks on top or not.  Blocks must be released by the allocator
 * that made them: apply a mode before the domains are used.  Not
 * synchronised with allocations.
 */
void modes_apply(enum modes_mode mode);

/*
 * modes_init - apply the mode of the options, once, before the first
 * domain call is dispatched (the lifecycle's start calls it: lifecycle.h).
 * Later calls return at once; threads racing to be first wait for the
 * winner.
 */
void modes_init(void);

#endif
