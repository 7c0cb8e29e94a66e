/* SPDX-License-Identifier: MIT */
/*
 * preload.c -- the only file that defines malloc, free and the rest of the
 * C library's allocator: loaded with LD_PRELOAD by the launcher, it routes
 * every one of them through the debug hooks (API id 'r') over the C
 * library's own allocator, reached as __libc_malloc & co.
 *
 * Each function behaves as glibc documents it (realloc(p, 0) frees,
 * posix_memalign returns EINVAL for a bad alignment, ...), so that
 * programs cannot tell the difference, except when they have a bug.
 * Runs inside the allocator: no malloc, no stdio, no locks.
 */
#include "config.h"

#include "preload.h"

#include "api.h"
#include "block.h"
#include "fmt.h"
#include "libc_base.h"
#include "options.h"

/* The C library's declarations: ours must match them exactly. */
#include <malloc.h>
#include <stdlib.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define LIBC_HOOKS(id)                                                         \
    {id,                                                                       \
     {NULL, libc_base_malloc, libc_base_calloc, libc_base_realloc,             \
      libc_base_free},                                                         \
     libc_base_memalign}

struct hooks_ctx preload_malloc_ctx = LIBC_HOOKS(API_RAW);
struct hooks_ctx preload_new_ctx = LIBC_HOOKS(API_NEW);
struct hooks_ctx preload_new_array_ctx = LIBC_HOOKS(API_NEW_ARRAY);

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
    options_init();
    if (!options.follow_children)
        stop_following_children();
}

/* "deadbyte: warning: FUNC: alignment N is WHY; returning EINVAL" */
static void
warn_alignment(const char *func, size_t align, const char *why)
{
    struct fmt out;
    fmt_open(&out, STDERR_FILENO);
    fmt_str(&out, "deadbyte: warning: ");
    fmt_str(&out, func);
    fmt_str(&out, ": alignment ");
    fmt_dec(&out, align);
    fmt_str(&out, " is ");
    fmt_str(&out, why);
    fmt_str(&out, "; returning EINVAL\n");
    fmt_flush(&out);
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
    return hooks_malloc(&preload_malloc_ctx, size);
}

PRELOAD_API void *
calloc(size_t nelem, size_t elsize)
{
    preload_start();
    return hooks_calloc(&preload_malloc_ctx, nelem, elsize);
}

PRELOAD_API void *
realloc(void *ptr, size_t size)
{
    preload_start();
    if (ptr && size == 0) {
        /* glibc: realloc(p, 0) frees p and returns NULL. */
        hooks_free(&preload_malloc_ctx, ptr);
        return NULL;
    }
    return hooks_realloc(&preload_malloc_ctx, ptr, size);
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
    hooks_free(&preload_malloc_ctx, ptr);
}

PRELOAD_API void *
memalign(size_t align, size_t size)
{
    preload_start();
    /* glibc rounds a non-power-of-two alignment up to the next one. */
    if (align > SIZE_MAX / 2 + 1) {
        errno = EINVAL;
        return NULL;
    }
    size_t rounded = 1;
    while (rounded < align)
        rounded <<= 1;
    return hooks_memalign(&preload_malloc_ctx, rounded, size);
}

PRELOAD_API int
posix_memalign(void **memptr, size_t align, size_t size)
{
    preload_start();
    if (!power_of_two(align) || align % sizeof(void *) != 0) {
        warn_alignment("posix_memalign", align,
                       "not a power of two multiple of sizeof(void *)");
        return EINVAL;
    }
    int saved_errno = errno;
    void *p = hooks_memalign(&preload_malloc_ctx, align, size);
    if (!p)
        return ENOMEM;
    errno = saved_errno; /* posix_memalign reports only through its result */
    *memptr = p;
    return 0;
}

PRELOAD_API void *
aligned_alloc(size_t align, size_t size)
{
    preload_start();
    if (!power_of_two(align)) {
        warn_alignment("aligned_alloc", align, "not a power of two");
        errno = EINVAL;
        return NULL;
    }
    return hooks_memalign(&preload_malloc_ctx, align, size);
}

PRELOAD_API void *
valloc(size_t size)
{
    preload_start();
    return hooks_memalign(&preload_malloc_ctx, (size_t)getpagesize(), size);
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
    return hooks_memalign(&preload_malloc_ctx, page, rounded);
}

PRELOAD_API size_t
malloc_usable_size(void *ptr)
{
    preload_start();
    /* The hooks look the pointer up before reading anything at it, and
     * check the block as its own API's. */
    return hooks_usable_size(ptr);
}
