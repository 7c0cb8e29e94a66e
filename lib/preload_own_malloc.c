/* SPDX-License-Identifier: MIT */
/*
 * preload_own_malloc.c -- notice a program whose malloc is not deadbyte's.
 *
 * The loader looks a symbol up in the program first, then in the
 * LD_PRELOAD libraries, then in the rest: a program that defines malloc
 * itself (its own allocator, or one linked in statically) keeps it, for
 * its own calls and for the C library's.  deadbyte then sees none of its
 * blocks, and would check nothing without a word.  Say so once, at
 * start, where reports go.
 */
#include "config.h"

#include "preload.h"

#include "fmt.h"
#include "writer.h"
#include "writer_words.h"

#include <dlfcn.h>
#include <link.h>
#include <stdbool.h>
#include <unistd.h>

static const char *const names[] = {"malloc", "calloc", "realloc", "free"};
#define N_NAMES (sizeof names / sizeof names[0])

void
preload_check_own_malloc(void)
{
    /* Compare modules, not addresses: taking the address of our own
     * malloc here would itself go through the loader's choice. */
    Dl_info ours, theirs;
    if (!dladdr((void *)preload_check_own_malloc, &ours))
        return;
    bool shadowed[N_NAMES] = {false};
    size_t count = 0;
    const char *module = NULL;
    for (size_t i = 0; i < N_NAMES; i++) {
        void *found = dlsym(RTLD_DEFAULT, names[i]);
        const ElfW(Sym) *sym = NULL;
        if (!found ||
            !dladdr1(found, &theirs, (void **)&sym, RTLD_DL_SYMENT) ||
            theirs.dli_fbase == ours.dli_fbase)
            continue;
        /* A program built without PIE that takes malloc's address in its
         * code has an undefined "malloc" whose value is its PLT entry
         * (Debian's python3 does), and dlsym returns that: only a symbol
         * defined there counts. */
        if (!sym || sym->st_shndx == SHN_UNDEF)
            continue;
        shadowed[i] = true;
        count++;
        if (!module)
            module = theirs.dli_fname && *theirs.dli_fname ? theirs.dli_fname
                                                           : "the program";
    }
    if (count == 0)
        return;

    /* "deadbyte: warning: malloc and free are defined in ./prog, ahead
     * of deadbyte's: the blocks they hand out are not checked" */
    const char *listed[N_NAMES];
    size_t put = 0;
    for (size_t i = 0; i < N_NAMES; i++)
        if (shadowed[i])
            listed[put++] = names[i];
    struct writer w;
    writer_open(&w, RECORD_NOTE);
    writer_say_own_malloc(&w, listed, put, module);
    writer_close(&w);
}
