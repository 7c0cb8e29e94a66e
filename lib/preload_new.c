/* SPDX-License-Identifier: MIT */
/*
 * preload_new.c -- every C++ operator new and operator delete, under their
 * Itanium-mangled names, routed through the debug hooks: 'n' for new and
 * delete, 'a' for new[] and delete[].  Written in C so that preloading it
 * does not pull libstdc++ into C programs: only a C++ program calls these,
 * and such a program has libstdc++ loaded, so the few C++ runtime
 * functions needed when memory runs out (the new-handler, throwing
 * std::bad_alloc) are looked up there, then.  Built with -fexceptions so
 * that the exception can unwind through these frames.
 */
#include "config.h"

#include "preload.h"
#include "writer_words.h"

#include "fmt.h"
#include "lifecycle.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#if SIZE_MAX == 0xffffffffu
#define SZ "j" /* size_t is unsigned int */
#else
#define SZ "m" /* size_t is unsigned long */
#endif
#define NOTHROW "RKSt9nothrow_t"
#define ALIGN "St11align_val_t"

/* Declare C function CNAME under the linker name MANGLED, then define it. */
#define CXX(ret, cname, mangled, args)                                         \
    PRELOAD_API ret cname args __asm__(mangled);                               \
    PRELOAD_API ret cname args

static _Noreturn void
cxx_runtime_missing(const char *what)
{
    struct writer w;
    writer_open(&w, RECORD_NOTE);
    writer_say(&w, "operator new: out of memory, and ", what,
               " is not in this process");
    writer_close(&w);
    abort();
}

/*
 * What operator new does when the allocation fails: call the new-handler
 * if one is installed (it may free memory, or throw), else throw
 * std::bad_alloc.  Returns to retry.
 */
HOOK_PATH static void
out_of_memory(void)
{
    typedef void (*handler_t)(void);
    handler_t (*get_handler)(void) =
        (handler_t(*)(void))dlsym(RTLD_DEFAULT, "_ZSt15get_new_handlerv");
    handler_t handler = get_handler ? get_handler() : NULL;
    if (handler) {
        handler();
        return;
    }
    void (*throw_bad_alloc)(void) =
        (void (*)(void))dlsym(RTLD_DEFAULT, "_ZSt17__throw_bad_allocv");
    if (!throw_bad_alloc)
        cxx_runtime_missing("std::__throw_bad_alloc");
    throw_bad_alloc();
    abort(); /* not reached */
}

HOOK_PATH static void *
new_block(struct hooks_ctx *ctx, size_t size, size_t align)
{
    preload_start();
    for (;;) {
        void *p = align ? hooks_memalign(ctx, align, size)
                        : hooks_malloc(ctx, size);
        if (options.check_every)
            lifecycle_check_due();
        if (p)
            return p;
        out_of_memory();
    }
}

/* The nothrow forms return NULL instead of calling the handler, which
 * could throw through a caller that expects no exception. */
HOOK_PATH static void *
new_block_nothrow(struct hooks_ctx *ctx, size_t size, size_t align)
{
    preload_start();
    if (align)
        LIFECYCLE_RETURN(hooks_memalign(ctx, align, size));
    LIFECYCLE_RETURN(hooks_malloc(ctx, size));
}

HOOK_PATH static void
delete_block(struct hooks_ctx *ctx, void *p)
{
    preload_start();
    LIFECYCLE_RETURN_VOID(hooks_free(ctx, p));
}

HOOK_PATH static void
delete_sized(struct hooks_ctx *ctx, void *p, size_t size)
{
    preload_start();
    LIFECYCLE_RETURN_VOID(hooks_free_sized(ctx, p, size));
}

#define N (&preload_new_ctx)
#define A (&preload_new_array_ctx)

/* new, new[] */
CXX(void *, new_plain, "_Znw" SZ, (size_t n)) { return new_block(N, n, 0); }
CXX(void *, new_array, "_Zna" SZ, (size_t n)) { return new_block(A, n, 0); }
CXX(void *, new_nothrow, "_Znw" SZ NOTHROW, (size_t n, const void *t))
{
    (void)t;
    return new_block_nothrow(N, n, 0);
}
CXX(void *, new_array_nothrow, "_Zna" SZ NOTHROW, (size_t n, const void *t))
{
    (void)t;
    return new_block_nothrow(A, n, 0);
}
CXX(void *, new_aligned, "_Znw" SZ ALIGN, (size_t n, size_t al))
{
    return new_block(N, n, al);
}
CXX(void *, new_array_aligned, "_Zna" SZ ALIGN, (size_t n, size_t al))
{
    return new_block(A, n, al);
}
CXX(void *, new_aligned_nothrow, "_Znw" SZ ALIGN NOTHROW,
    (size_t n, size_t al, const void *t))
{
    (void)t;
    return new_block_nothrow(N, n, al);
}
CXX(void *, new_array_aligned_nothrow, "_Zna" SZ ALIGN NOTHROW,
    (size_t n, size_t al, const void *t))
{
    (void)t;
    return new_block_nothrow(A, n, al);
}

/* delete, delete[] */
CXX(void, delete_plain, "_ZdlPv", (void *p)) { delete_block(N, p); }
CXX(void, delete_array, "_ZdaPv", (void *p)) { delete_block(A, p); }
CXX(void, delete_sized_plain, "_ZdlPv" SZ, (void *p, size_t n))
{
    delete_sized(N, p, n);
}
CXX(void, delete_sized_array, "_ZdaPv" SZ, (void *p, size_t n))
{
    delete_sized(A, p, n);
}
CXX(void, delete_nothrow, "_ZdlPv" NOTHROW, (void *p, const void *t))
{
    (void)t;
    delete_block(N, p);
}
CXX(void, delete_array_nothrow, "_ZdaPv" NOTHROW, (void *p, const void *t))
{
    (void)t;
    delete_block(A, p);
}
CXX(void, delete_aligned, "_ZdlPv" ALIGN, (void *p, size_t al))
{
    (void)al;
    delete_block(N, p);
}
CXX(void, delete_array_aligned, "_ZdaPv" ALIGN, (void *p, size_t al))
{
    (void)al;
    delete_block(A, p);
}
CXX(void, delete_sized_aligned, "_ZdlPv" SZ ALIGN,
    (void *p, size_t n, size_t al))
{
    (void)al;
    delete_sized(N, p, n);
}
CXX(void, delete_sized_array_aligned, "_ZdaPv" SZ ALIGN,
    (void *p, size_t n, size_t al))
{
    (void)al;
    delete_sized(A, p, n);
}
CXX(void, delete_aligned_nothrow, "_ZdlPv" ALIGN NOTHROW,
    (void *p, size_t al, const void *t))
{
    (void)al, (void)t;
    delete_block(N, p);
}
CXX(void, delete_array_aligned_nothrow, "_ZdaPv" ALIGN NOTHROW,
    (void *p, size_t al, const void *t))
{
    (void)al, (void)t;
    delete_block(A, p);
}
