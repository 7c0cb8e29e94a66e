/* count_allocs.c -- an LD_PRELOAD shim for bench/run.sh that counts the
 * allocator calls of a program (and of the programs it runs, which
 * inherit LD_PRELOAD) and nothing else.
 *
 * Build:  cc -O2 -fexceptions -shared -fPIC -o count_allocs.so \
 *             count_allocs.c -ldl
 * Use:    COUNT_ALLOCS_FILE=/path LD_PRELOAD=./count_allocs.so prog args
 *
 * At exit each process appends one line to $COUNT_ALLOCS_FILE:
 *     PID ALLOCS FREES
 * ALLOCS counts the calls that hand out memory: malloc, calloc, realloc,
 * reallocarray, posix_memalign, aligned_alloc, memalign, valloc, pvalloc,
 * and operator new / new[] in all their forms; FREES counts free and
 * operator delete / delete[].  An operator new that calls malloc (as
 * libstdc++'s does) is one call, not two: a per-thread flag says that the
 * malloc comes from inside a counted call.  A process that ends with
 * _exit or exec, or is killed, writes nothing.  A child made by fork
 * starts counting from 0 (its parent's calls are the parent's to
 * report), so that a shell's subshells are not counted again and again.
 *
 * Bootstrap: dlsym may call calloc (for its error buffer) before the
 * real calloc is known; such calls are served from a static buffer, and
 * free/realloc recognize pointers into it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

static atomic_ulong n_allocs, n_frees;
static __thread int inside __attribute__((tls_model("initial-exec")));

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
static void *(*real_reallocarray)(void *, size_t, size_t);

/* ---- bootstrap buffer ---- */

static _Alignas(64) unsigned char boot[64 * 1024];
static size_t boot_used;       /* only touched while resolving, 1 thread */
static int resolving;

static int in_boot(const void *p)
{
    return (const unsigned char *)p >= boot
        && (const unsigned char *)p < boot + sizeof boot;
}

static void *boot_alloc(size_t size)
{
    /* 16 bytes of header: the size, for realloc. */
    size_t need = (size + 16 + 15) & ~(size_t)15;
    if (need < size || boot_used + need > sizeof boot)
        return NULL;
    unsigned char *p = boot + boot_used;
    boot_used += need;
    memcpy(p, &size, sizeof size);
    return p + 16;             /* static storage: already zero */
}

static size_t boot_size(const void *p)
{
    size_t size;
    memcpy(&size, (const unsigned char *)p - 16, sizeof size);
    return size;
}

static void resolve(void)
{
    if (real_free || resolving)
        return;
    resolving = 1;
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_posix_memalign = (int (*)(void **, size_t, size_t))
        dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = (void *(*)(size_t, size_t))
        dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
    real_valloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "valloc");
    real_pvalloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "pvalloc");
    real_reallocarray = (void *(*)(void *, size_t, size_t))
        dlsym(RTLD_NEXT, "reallocarray");
    /* Last: resolve() is done once real_free is set. */
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    resolving = 0;
    if (!real_malloc || !real_calloc || !real_realloc || !real_free) {
        static const char msg[] = "count_allocs: cannot find malloc\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(127);
    }
}

static inline void count(atomic_ulong *n)
{
    if (!inside)
        atomic_fetch_add_explicit(n, 1, memory_order_relaxed);
}

/* ---- the C allocator ---- */

EXPORT void *malloc(size_t size)
{
    if (!real_free) {
        resolve();
        if (!real_malloc)
            return boot_alloc(size);
    }
    count(&n_allocs);
    return real_malloc(size);
}

EXPORT void *calloc(size_t n, size_t size)
{
    if (!real_calloc) {
        resolve();
        if (!real_calloc) {
            if (size && n > SIZE_MAX / size)
                return NULL;
            return boot_alloc(n * size);
        }
    }
    count(&n_allocs);
    return real_calloc(n, size);
}

EXPORT void *realloc(void *p, size_t size)
{
    if (!real_free)
        resolve();
    if (p && in_boot(p)) {
        size_t old = boot_size(p);
        void *q = malloc(size);
        if (q)
            memcpy(q, p, old < size ? old : size);
        return q;
    }
    if (!real_realloc)
        return boot_alloc(size);
    count(&n_allocs);
    return real_realloc(p, size);
}

EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    if (!real_free)
        resolve();
    if (!real_reallocarray || (p && in_boot(p)))
        return realloc(p, n * size);
    count(&n_allocs);
    /* glibc's reallocarray calls realloc: count it here only. */
    inside++;
    void *q = real_reallocarray(p, n, size);
    inside--;
    return q;
}

EXPORT void free(void *p)
{
    if (!p || in_boot(p))
        return;
    if (!real_free)
        resolve();
    count(&n_frees);
    real_free(p);
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    if (!real_free)
        resolve();
    count(&n_allocs);
    inside++;
    int r = real_posix_memalign(out, align, size);
    inside--;
    return r;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
    if (!real_free)
        resolve();
    count(&n_allocs);
    inside++;
    void *p = real_aligned_alloc(align, size);
    inside--;
    return p;
}

EXPORT void *memalign(size_t align, size_t size)
{
    if (!real_free)
        resolve();
    count(&n_allocs);
    inside++;
    void *p = real_memalign(align, size);
    inside--;
    return p;
}

EXPORT void *valloc(size_t size)
{
    if (!real_free)
        resolve();
    count(&n_allocs);
    inside++;
    void *p = real_valloc(size);
    inside--;
    return p;
}

EXPORT void *pvalloc(size_t size)
{
    if (!real_free)
        resolve();
    count(&n_allocs);
    inside++;
    void *p = real_pvalloc(size);
    inside--;
    return p;
}

/* ---- operator new and delete (Itanium C++ ABI names, 64-bit size_t) ----
 *
 * Each forwards to the next definition (libstdc++'s, normally), so the
 * exceptions and the new-handler behave as without the shim; the malloc
 * or free it makes inside is not counted again.  Only the forms that
 * exist in the process are forwarded to; the others are never called.
 */

#define NEXT(name) static void *next_##name;                             \
    if (!next_##name)                                                     \
        next_##name = dlsym(RTLD_NEXT, #name)

/* Built with -fexceptions, so that when the real operator new throws
 * (bad_alloc), the cleanup puts the flag down as the exception passes. */
static void leave(int *unused)
{
    (void)unused;
    inside--;
}
#define ENTER inside++; int guard_ __attribute__((cleanup(leave))) = 0

#define NEW_WRAPPER(name, params, args, ptypes)                           \
    EXPORT void *name params                                              \
    {                                                                     \
        NEXT(name);                                                       \
        count(&n_allocs);                                                 \
        ENTER;                                                            \
        return ((void *(*) ptypes)next_##name) args;                      \
    }

#define DELETE_WRAPPER(name, params, args, ptypes)                        \
    EXPORT void name params                                               \
    {                                                                     \
        NEXT(name);                                                       \
        if (!p)                                                           \
            return;                                                       \
        count(&n_frees);                                                  \
        ENTER;                                                            \
        ((void (*) ptypes)next_##name) args;                              \
    }

/* size_t and align_val_t are both unsigned long on the 64-bit targets
 * this is for; nothrow_t is passed by reference (a pointer). */
typedef unsigned long ul;
typedef const void *nothrow_ref;

NEW_WRAPPER(_Znwm, (ul n), (n), (ul))
NEW_WRAPPER(_Znam, (ul n), (n), (ul))
NEW_WRAPPER(_ZnwmRKSt9nothrow_t, (ul n, nothrow_ref t), (n, t),
            (ul, nothrow_ref))
NEW_WRAPPER(_ZnamRKSt9nothrow_t, (ul n, nothrow_ref t), (n, t),
            (ul, nothrow_ref))
NEW_WRAPPER(_ZnwmSt11align_val_t, (ul n, ul a), (n, a), (ul, ul))
NEW_WRAPPER(_ZnamSt11align_val_t, (ul n, ul a), (n, a), (ul, ul))
NEW_WRAPPER(_ZnwmSt11align_val_tRKSt9nothrow_t,
            (ul n, ul a, nothrow_ref t), (n, a, t), (ul, ul, nothrow_ref))
NEW_WRAPPER(_ZnamSt11align_val_tRKSt9nothrow_t,
            (ul n, ul a, nothrow_ref t), (n, a, t), (ul, ul, nothrow_ref))

DELETE_WRAPPER(_ZdlPv, (void *p), (p), (void *))
DELETE_WRAPPER(_ZdaPv, (void *p), (p), (void *))
DELETE_WRAPPER(_ZdlPvm, (void *p, ul n), (p, n), (void *, ul))
DELETE_WRAPPER(_ZdaPvm, (void *p, ul n), (p, n), (void *, ul))
DELETE_WRAPPER(_ZdlPvRKSt9nothrow_t, (void *p, nothrow_ref t), (p, t),
               (void *, nothrow_ref))
DELETE_WRAPPER(_ZdaPvRKSt9nothrow_t, (void *p, nothrow_ref t), (p, t),
               (void *, nothrow_ref))
DELETE_WRAPPER(_ZdlPvSt11align_val_t, (void *p, ul a), (p, a), (void *, ul))
DELETE_WRAPPER(_ZdaPvSt11align_val_t, (void *p, ul a), (p, a), (void *, ul))
DELETE_WRAPPER(_ZdlPvmSt11align_val_t, (void *p, ul n, ul a), (p, n, a),
               (void *, ul, ul))
DELETE_WRAPPER(_ZdaPvmSt11align_val_t, (void *p, ul n, ul a), (p, n, a),
               (void *, ul, ul))

/* ---- fork, and the report ---- */

static void forked(void)
{
    atomic_store(&n_allocs, 0);
    atomic_store(&n_frees, 0);
}

__attribute__((constructor)) static void watch_fork(void)
{
    pthread_atfork(NULL, NULL, forked);
}

static char *put_ulong(char *out, unsigned long v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *out++ = tmp[--n];
    return out;
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("COUNT_ALLOCS_FILE");
    char line[80], *p = line;
    int fd;

    if (!path || !*path)
        return;
    p = put_ulong(p, (unsigned long)getpid());
    *p++ = ' ';
    p = put_ulong(p, atomic_load(&n_allocs));
    *p++ = ' ';
    p = put_ulong(p, atomic_load(&n_frees));
    *p++ = '\n';
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    (void)!write(fd, line, (size_t)(p - line));
    close(fd);
}
