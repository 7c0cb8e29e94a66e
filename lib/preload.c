/* SPDX-License-Identifier: MIT */
/*
 * preload.c -- the only file that defines malloc, free and the rest of the
 * C library's allocator: loaded with LD_PRELOAD by the launcher, it routes
 * every one of them through the debug hooks (API id 'r') over the C
 * library's own allocator, reached as __libc_malloc & co.
 *
 * Each function behaves as glibc documents it (realloc(p, 0) frees,
 * posix_memalign returns EINVAL for a bad alignment, aligned_alloc does
 * what this C library's does, which changed in glibc 2.38, ...), so that
 * programs cannot tell the difference, except when they have a bug.
 * Runs inside the allocator: no malloc, no stdio, no lock of its own
 * (dlsym, asked once about the C library's aligned_alloc, takes the
 * loader's lock, which is recursive).
 */
#include "config.h"

#include "preload.h"

#include "api.h"
#include "block.h"
#include "fmt.h"
#include "guard_signal.h"
#include "heap.h"
#include "lifecycle.h"
#include "options.h"
#include "writer.h"
#include "writer_words.h"

/* The C library's declarations: ours must match them exactly. */
#include <malloc.h>
#include <stdlib.h>

#include <dlfcn.h>
#include <limits.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* Blocks come from deadbyte's own heap (heap.h), where a pointer leads
 * to its block's record by arithmetic. */
#define HEAP_HOOKS(id)                                                         \
    {id, {NULL, heap_malloc, heap_calloc, heap_realloc, heap_free},            \
     heap_memalign}

struct hooks_ctx preload_malloc_ctx = HEAP_HOOKS(API_RAW);
struct hooks_ctx preload_new_ctx = HEAP_HOOKS(API_NEW);
struct hooks_ctx preload_new_array_ctx = HEAP_HOOKS(API_NEW_ARRAY);

atomic_bool preload_started;

void
preload_start_slow(void)
{
    static atomic_flag once = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&once)) {
        /* Another thread is starting; it only sets two flags. */
        while (!atomic_load(&preload_started))
            ;
        return;
    }
    api_use_libc_names();
    atomic_store_explicit(&preload_started, true, memory_order_release);
}

/* Does WORD (a token of LD_PRELOAD) name this preload library? */
static bool
is_us(const char *word, size_t len)
{
    static const char name[] = "libdeadbyte-preload.so";
    size_t n = sizeof name - 1;
    return len >= n && memcmp(word + len - n, name, n) == 0 &&
           (len == n || word[len - n - 1] == '/');
}

/*
 * DEADBYTE_FOLLOW_CHILDREN=0: take this library out of LD_PRELOAD, in
 * place (no malloc), so that programs this one executes run without it.
 */
static void
stop_following_children(void)
{
    extern char **environ;
    for (char **env = environ; env && *env; env++) {
        if (strncmp(*env, "LD_PRELOAD=", 11) != 0)
            continue;
        char *in = *env + 11, *out = in;
        while (*in) {
            size_t sep = strspn(in, ": ");
            in += sep;
            size_t len = strcspn(in, ": ");
            if (len > 0 && !is_us(in, len)) {
                if (out != *env + 11)
                    *out++ = ':';
                memmove(out, in, len);
                out += len;
            }
            in += len;
        }
        *out = '\0';
    }
}

__attribute__((constructor)) static void
preload_constructor(void)
{
    preload_start();
    lifecycle_start();
    if (!options.follow_children)
        stop_following_children();
    preload_check_own_malloc();
    guard_signal_install();
}

/*
 * "deadbyte: warning: FUNC: alignment N is WHY; returning EINVAL", or
 * with ROUNDED (not 0) "...; using ROUNDED, as the C library does".
 */
static void
warn_alignment(const char *func, size_t align, const char *why,
               size_t rounded)
{
    struct writer w;
    writer_open(&w, RECORD_NOTE);
    writer_field(&w, RECORD_FIELD_FUNCTION, func);
    writer_say_alignment(&w, func, align, why, rounded);
    writer_close(&w);
}

/* An aligned block of the hooks, then the lifecycle's check after a
 * call (--check-every). */
HOOK_PATH static void *
memalign_block(size_t align, size_t size)
{
    LIFECYCLE_RETURN(hooks_memalign(&preload_malloc_ctx, align, size));
}

static bool
power_of_two(size_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

PRELOAD_API void *
malloc(size_t size)
{
    preload_start();
    LIFECYCLE_RETURN(hooks_malloc(&preload_malloc_ctx, size));
}

PRELOAD_API void *
calloc(size_t nelem, size_t elsize)
{
    preload_start();
    LIFECYCLE_RETURN(hooks_calloc(&preload_malloc_ctx, nelem, elsize));
}

PRELOAD_API void *
realloc(void *ptr, size_t size)
{
    preload_start();
    if (ptr && size == 0) {
        /* glibc: realloc(p, 0) frees p and returns NULL. */
        hooks_free(&preload_malloc_ctx, ptr);
        if (options.check_every)
            lifecycle_check_due();
        return NULL;
    }
    LIFECYCLE_RETURN(hooks_realloc(&preload_malloc_ctx, ptr, size));
}

PRELOAD_API void *
reallocarray(void *ptr, size_t nelem, size_t elsize)
{
    if (elsize != 0 && nelem > SIZE_MAX / elsize) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(ptr, nelem * elsize);
}

PRELOAD_API void
free(void *ptr)
{
    preload_start();
    LIFECYCLE_RETURN_VOID(hooks_free(&preload_malloc_ctx, ptr));
}

/* glibc's memalign takes any alignment up to SIZE_MAX / 2 + 1 and rounds
 * it up to a power of two; 0 when there is none that large. */
static size_t
round_up_alignment(size_t align)
{
    if (align > SIZE_MAX / 2 + 1)
        return 0;
    size_t rounded = 1;
    while (rounded < align)
        rounded <<= 1;
    return rounded;
}

PRELOAD_API void *
memalign(size_t align, size_t size)
{
    preload_start();
    size_t rounded = round_up_alignment(align);
    if (!rounded) {
        errno = EINVAL;
        return NULL;
    }
    return memalign_block(rounded, size);
}

PRELOAD_API int
posix_memalign(void **memptr, size_t align, size_t size)
{
    preload_start();
    if (!power_of_two(align) || align % sizeof(void *) != 0) {
        warn_alignment("posix_memalign", align,
                       "not a power of two multiple of sizeof(void *)", 0);
        return EINVAL;
    }
    int saved_errno = errno;
    void *p = memalign_block(align, size);
    if (!p)
        return ENOMEM;
    errno = saved_errno; /* posix_memalign reports only through its result */
    *memptr = p;
    return 0;
}

/*
 * Does the C library's aligned_alloc take an alignment that is not a power
 * of two, as memalign does (glibc up to 2.37), or refuse it with EINVAL
 * (C17 DR 460: glibc 2.38, and the older branches it was backported to)?
 * A version number cannot tell the backports apart, so ask the C library
 * itself, once, the first time it matters; it answers before it would
 * allocate, or with a block that goes straight back.
 */
static bool
libc_aligned_alloc_rounds_up(void)
{
    enum { NOT_ASKED, ROUNDS_UP, REFUSES };
    static atomic_int answer = NOT_ASKED;
    int known = atomic_load_explicit(&answer, memory_order_relaxed);
    if (known != NOT_ASKED)
        return known == ROUNDS_UP;
    /* RTLD_NEXT: the definitions that ours hide, the C library's. */
    void *(*next_aligned_alloc)(size_t, size_t) =
        (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
    void (*next_free)(void *) = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    known = REFUSES;
    if (next_aligned_alloc && next_free) {
        int saved_errno = errno;
        void *p = next_aligned_alloc(3, 1);
        if (p) {
            next_free(p);
            known = ROUNDS_UP;
        }
        errno = saved_errno;
    }
    atomic_store_explicit(&answer, known, memory_order_relaxed);
    return known == ROUNDS_UP;
}

PRELOAD_API void *
aligned_alloc(size_t align, size_t size)
{
    preload_start();
    /* Any size goes, a multiple of the alignment or not, as in glibc. */
    if (power_of_two(align))
        return memalign_block(align, size);
    size_t rounded = round_up_alignment(align);
    if (!rounded || !libc_aligned_alloc_rounds_up()) {
        warn_alignment("aligned_alloc", align, "not a power of two", 0);
        errno = EINVAL;
        return NULL;
    }
    warn_alignment("aligned_alloc", align, "not a power of two", rounded);
    return memalign_block(rounded, size);
}

PRELOAD_API void *
valloc(size_t size)
{
    preload_start();
    return memalign_block((size_t)getpagesize(), size);
}

PRELOAD_API void *
pvalloc(size_t size)
{
    preload_start();
    size_t page = (size_t)getpagesize();
    if (size > SIZE_MAX - page) {
        errno = ENOMEM;
        return NULL;
    }
    size_t rounded = size == 0 ? page : (size + page - 1) & ~(page - 1);
    return memalign_block(page, rounded);
}

PRELOAD_API size_t
malloc_usable_size(void *ptr)
{
    preload_start();
    /* The hooks look the pointer up before reading anything at it, and
     * check the block as its own API's. */
    return hooks_usable_size(ptr);
}

/*
 * The C library's statistics and trimming would speak of its own heap,
 * which holds none of the program's blocks under deadbyte: these speak
 * of deadbyte's.  mallopt stays the C library's: its settings are
 * accepted, and bind only the C library's allocator, which deadbyte's
 * own heap does not use.
 */
PRELOAD_API int
malloc_trim(size_t pad)
{
    (void)pad;
    preload_start();
    return heap_trim() ? 1 : 0;
}

/* Figures that do not fit mallinfo's ints are clamped, as glibc's are
 * truncated. */
static int
clamp(size_t n)
{
    return n > INT_MAX ? INT_MAX : (int)n;
}

#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 33)
PRELOAD_API struct mallinfo2
mallinfo2(void)
{
    preload_start();
    struct heap_counts c;
    heap_get_counts(&c);
    struct mallinfo2 info = {0};
    info.arena = c.mapped - c.large_mapped;
    info.ordblks = 1;
    info.hblks = c.large;
    info.hblkhd = c.large_mapped;
    info.uordblks = c.in_use - c.large_in_use;
    info.fordblks = info.arena - info.uordblks;
    return info;
}
#endif

PRELOAD_API struct mallinfo
mallinfo(void)
{
    preload_start();
    struct heap_counts c;
    heap_get_counts(&c);
    struct mallinfo info = {0};
    info.arena = clamp(c.mapped - c.large_mapped);
    info.ordblks = 1;
    info.hblks = clamp(c.large);
    info.hblkhd = clamp(c.large_mapped);
    info.uordblks = clamp(c.in_use - c.large_in_use);
    info.fordblks = clamp(c.mapped - c.large_mapped -
                          (c.in_use - c.large_in_use));
    return info;
}
