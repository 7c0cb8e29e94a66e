/* SPDX-License-Identifier: MIT */
/*
 * libc_calls.c -- the C library's functions of intercept.def, for
 * deadbyte's own code (__wrap_NAME, through the linker's --wrap) and for
 * the interposers (LIBC(name)); see libc_calls.h.
 *
 * No definition here may be turned by the compiler into a call of the
 * function it stands in for: the loops read and write through volatile
 * pointers, which no compiler makes into memcpy or strlen.
 */
#include "config.h"

#undef _FORTIFY_SOURCE

#include "libc_calls.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <unistd.h>

void *libc_calls[LIBC_CALLS];

/* ---- Loops, before the C library's are found ---------------------------- */

typedef volatile unsigned char vbyte;

static void *
loop_memcpy(void *d, const void *s, size_t n)
{
    vbyte *to = d;
    const vbyte *from = s;
    for (size_t i = 0; i < n; i++)
        to[i] = from[i];
    return d;
}

static void *
loop_mempcpy(void *d, const void *s, size_t n)
{
    return (char *)loop_memcpy(d, s, n) + n;
}

static void *
loop_memmove(void *d, const void *s, size_t n)
{
    vbyte *to = d;
    const vbyte *from = s;
    if ((uintptr_t)to - (uintptr_t)from >= n) /* forwards is safe */
        return loop_memcpy(d, s, n);
    for (size_t i = n; i > 0; i--)
        to[i - 1] = from[i - 1];
    return d;
}

static void *
loop_memset(void *d, int c, size_t n)
{
    vbyte *to = d;
    for (size_t i = 0; i < n; i++)
        to[i] = (unsigned char)c;
    return d;
}

static int
loop_memcmp(const void *a, const void *b, size_t n)
{
    const vbyte *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

static void *
loop_memchr(const void *s, int c, size_t n)
{
    const vbyte *x = s;
    for (size_t i = 0; i < n; i++)
        if (x[i] == (unsigned char)c)
            return (void *)(uintptr_t)(x + i);
    return NULL;
}

static size_t
loop_strnlen(const char *s, size_t n)
{
    const vbyte *x = (const vbyte *)s;
    size_t i = 0;
    while (i < n && x[i])
        i++;
    return i;
}

static size_t
loop_strlen(const char *s)
{
    return loop_strnlen(s, SIZE_MAX);
}

static char *
loop_strcpy(char *d, const char *s)
{
    loop_memcpy(d, s, loop_strlen(s) + 1);
    return d;
}

static char *
loop_strcat(char *d, const char *s)
{
    loop_strcpy(d + loop_strlen(d), s);
    return d;
}

static int
loop_strncmp(const char *a, const char *b, size_t n)
{
    const vbyte *x = (const vbyte *)a, *y = (const vbyte *)b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i] || !x[i])
            return x[i] - y[i];
    return 0;
}

static int
loop_strcmp(const char *a, const char *b)
{
    return loop_strncmp(a, b, SIZE_MAX);
}

static char *
loop_strchr(const char *s, int c)
{
    const vbyte *x = (const vbyte *)s;
    for (;; x++) {
        if (*x == (unsigned char)c)
            return (char *)(uintptr_t)x;
        if (!*x)
            return NULL;
    }
}

static char *
loop_strstr(const char *h, const char *n)
{
    size_t len = loop_strlen(n);
    for (; *h; h++)
        if (loop_strncmp(h, n, len) == 0)
            return (char *)(uintptr_t)h;
    return len == 0 ? (char *)(uintptr_t)h : NULL;
}

static size_t
loop_strspn(const char *s, const char *a)
{
    size_t i = 0;
    while (s[i] && loop_strchr(a, s[i]))
        i++;
    return i;
}

static size_t
loop_strcspn(const char *s, const char *r)
{
    size_t i = 0;
    while (s[i] && !loop_strchr(r, s[i]))
        i++;
    return i;
}

static ssize_t
loop_read(int fd, void *b, size_t n)
{
    return syscall(SYS_read, fd, b, n);
}

static ssize_t
loop_write(int fd, const void *b, size_t n)
{
    return syscall(SYS_write, fd, b, n);
}

/* ---- Finding the C library's ----------------------------------------- */

#define loop_0(name) NULL
#define loop_1(name) (void *)loop_##name
#define LOOP(fallback, name) loop_##fallback(name)

static const struct {
    const char *name;
    void *loop;
} calls[LIBC_CALLS] = {
#define INTERCEPT(type, name, params, args, fallback)                          \
    {#name, LOOP(fallback, name)},
#include "intercept.def"
#undef INTERCEPT
};

/* Set once the constructor has found them all: dlsym may run. */
static atomic_bool started;
/* This thread is in dlsym: it may allocate, and our allocator calls
 * memcpy and the like. */
static __thread bool in_dlsym __attribute__((tls_model("initial-exec")));

static void *
look_up(enum libc_call call)
{
    if (in_dlsym)
        return NULL;
    int saved_errno = errno;
    in_dlsym = true;
    void *f = dlsym(RTLD_NEXT, calls[call].name);
    in_dlsym = false;
    errno = saved_errno;
    if (f)
        __atomic_store_n(&libc_calls[call], f, __ATOMIC_RELAXED);
    return f;
}

/* A function of the C library that cannot be found: the program cannot
 * go on. */
static _Noreturn void
not_found(const char *name)
{
    static const char head[] = "deadbyte: cannot find the C library's ";
    loop_write(STDERR_FILENO, head, sizeof head - 1);
    loop_write(STDERR_FILENO, name, loop_strlen(name));
    loop_write(STDERR_FILENO, "\n", 1);
    abort();
}

void *
libc_calls_find(enum libc_call call)
{
    void *f = NULL;
    /* Before the constructor, loops where there are: this may be the
     * loader's own first allocations, where dlsym is not safe. */
    if (atomic_load_explicit(&started, memory_order_acquire) ||
        !calls[call].loop)
        f = look_up(call);
    if (!f)
        f = calls[call].loop;
    if (!f)
        not_found(calls[call].name);
    return f;
}

void
libc_calls_start(void)
{
    atomic_store_explicit(&started, true, memory_order_release);
    for (size_t i = 0; i < LIBC_CALLS; i++)
        if (!__atomic_load_n(&libc_calls[i], __ATOMIC_RELAXED))
            look_up((enum libc_call)i);
}

/* ---- Deadbyte's own calls (the linker's --wrap) ------------------------- */

#define INTERCEPT(type, name, params, args, fallback)                          \
    type __wrap_##name params;                                                 \
    type __wrap_##name params { return LIBC(name) args; }
#include "intercept.def"
#undef INTERCEPT

int __wrap_snprintf(char *b, size_t n, const char *f, ...)
    __attribute__((format(printf, 3, 4)));
int
__wrap_snprintf(char *b, size_t n, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = LIBC(vsnprintf)(b, n, f, ap);
    va_end(ap);
    return r;
}

int __wrap_sprintf(char *b, const char *f, ...)
    __attribute__((format(printf, 2, 3)));
int
__wrap_sprintf(char *b, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = LIBC(vsprintf)(b, f, ap);
    va_end(ap);
    return r;
}

int __wrap___snprintf_chk(char *b, size_t n, int fl, size_t l, const char *f,
                          ...) __attribute__((format(printf, 5, 6)));
int
__wrap___snprintf_chk(char *b, size_t n, int fl, size_t l, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = LIBC(__vsnprintf_chk)(b, n, fl, l, f, ap);
    va_end(ap);
    return r;
}

int __wrap___sprintf_chk(char *b, int fl, size_t l, const char *f, ...)
    __attribute__((format(printf, 4, 5)));
int
__wrap___sprintf_chk(char *b, int fl, size_t l, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = LIBC(__vsprintf_chk)(b, fl, l, f, ap);
    va_end(ap);
    return r;
}

/* Before any of the program's constructors, and before the program can
 * vfork: from here on no call looks anything up. */
__attribute__((constructor)) static void
libc_calls_constructor(void)
{
    libc_calls_start();
}
