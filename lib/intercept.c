/* SPDX-License-Identifier: MIT */
/*
 * intercept.c -- bounds-checked C library calls: the preload library
 * interposes the functions that read or write a caller's buffer (every
 * one of intercept.def, and snprintf, sprintf, __snprintf_chk and
 * __sprintf_chk), and before doing the work checks each range it will
 * touch against the deadbyte block that holds the range's first byte.
 * The block is found in O(1) by the heap's map and the record beside its
 * slot (heap.h); a range that they say runs past the block's data,
 * starts in its header or in a freed block is checked again against the
 * registry's record (block_containing), and if that agrees, is a fatal
 * report (report_access.h) whose first frame is the program's call.
 * Under --keep-going the report returns, the block is marked (it is not
 * reported again), and the call does what it was asked, as
 * AddressSanitizer's halt_on_error=0: but snprintf and sprintf still
 * write no further than the block's end.
 *
 * The rules, so that no correct program is ever reported:
 * - A range of 0 bytes is never checked (memcpy of 0 bytes at p+size).
 * - A block's data is the size requested, which malloc_usable_size()
 *   returns too: a program that uses what it says is within it.
 * - Strings are measured up to the block's end, never past it: an
 *   unterminated one is an over-read of its bytes up to the end, plus
 *   the one after.
 * - Functions that stop early (memchr, strchr, memcmp, strcmp, strspn
 *   ...) are checked up to where they stop, as Valgrind does: a memcmp
 *   of a longer N that differs early is correct.
 * - read, recv, fgets, fread: their whole destination, before the call
 *   (as Valgrind and glibc's fortify); snprintf and sprintf never
 *   overflow: their size is clipped to the block's end, and an output
 *   that did not fit where the caller said it would is reported.
 * - Of a call's ranges, the one it touches first is reported first.
 *
 * Memory that is not deadbyte's heap (stack, static data, mappings) costs
 * one look-up in the heap's map.  With --check-calls=no a wrapper is one
 * load and a call.  Each returns what the C library's function returns,
 * with its errno, and is async-signal-safe where it is.  All of them are
 * on the hook path (traces.h), so that tracebacks start at the program's
 * call; the _chk entry points keep glibc's own check, made by glibc's
 * function after ours.
 */
#include "config.h"

#undef _FORTIFY_SOURCE

#include "heap.h"
#include "heap_span.h"
#include "keep_going.h"
#include "libc_calls.h"
#include "options.h"
#include "preload.h"
#include "registry.h"
#include "report_access.h"
#include "slot_block.h"
#include "traces.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* bits/stdio.h makes it a macro when optimizing. */
#undef fread_unlocked

/* Declarations of the functions defined here: the C library declares
 * its fortify entry points only to fortified programs. */
#define INTERCEPT(type, name, params, args, fallback) type name params;
#include "intercept.def"
#undef INTERCEPT
int __snprintf_chk(char *b, size_t n, int fl, size_t l, const char *f, ...)
    __attribute__((format(printf, 5, 6)));
int __sprintf_chk(char *b, int fl, size_t l, const char *f, ...)
    __attribute__((format(printf, 4, 5)));

#define ON __builtin_expect(options.check_calls, 1)
#define FAST static inline __attribute__((always_inline))
#define READ ACCESS_READ
#define WRITE ACCESS_WRITE
#define W sizeof(wchar_t)

/*
 * LEN bytes at START, which the heap's record of the block there says
 * are not all in its data: the report, if the registry's record agrees
 * (block_containing, which a report needs anyway); else nothing (the
 * block changed meanwhile, or the record is one the fast look-up below
 * does not read), and the caller makes the plain call.  The traceback
 * is taken here, on the hook path.  True if the range was bad: reported,
 * now or before (--keep-going, when the report returns).
 */
HOOK_PATH static bool
bad_at(const char *func, enum access_kind kind, uintptr_t a, size_t len)
{
    struct block_record r;
    if (!block_containing(a, &r) || r.tracked)
        return false;
    if (a >= r.p && !r.freed && a - r.p < r.size && len <= r.size - (a - r.p))
        return false;
    if (!keep_going_first(r.p))
        return true; /* --keep-going: reported before */
    struct report_access access = {func, kind, a,
                                   len,  &r,   options.serialno,
                                   traces_capture()};
    report_bad_access(&access);
    return true;
}

/* bad_at() of START, as an address: GCC takes a pointer passed on for
 * a buffer that read() only writes as read uninitialized. */
#define bad(func, kind, start, len) bad_at(func, kind, (uintptr_t)(start), len)

/* room() in a slot of the heap: the block's record as heap.h lays it
 * out, read without a lock (a bad answer is checked again by bad()). */
FAST size_t
room_in_slot(uintptr_t a, const struct heap_slot *slot)
{
    const struct heap_meta *m = slot->meta;
    uint8_t state = __atomic_load_n(&m->state, __ATOMIC_ACQUIRE);
    if (state == HEAP_FREE)
        return SIZE_MAX; /* no block */
    if (state != HEAP_LIVE)
        return 0;
    uintptr_t p = slot_block_data(slot);
    size_t size = slot_block_size(slot);
    if (a < p || a - p >= size)
        return 0;
    return size - (a - p);
}

/*
 * The bytes from ADDR to the end of the data of the block it is in:
 * SIZE_MAX if ADDR is in no block of deadbyte's heap, 0 if its byte is
 * bad already (in a header, in a freed block, past the end of the data).
 * One look-up in the heap's map for memory that is not the heap's.
 */
FAST size_t
room(const void *addr)
{
    uintptr_t a = (uintptr_t)addr;
    struct heap_span *s = span_of(a);
    if (__builtin_expect(!s, 1))
        return SIZE_MAX;
    if (s->cls != LARGE_CLASS && a >= s->slots) {
        uint32_t i = slot_index(s, a);
        if (i >= s->nslots)
            return SIZE_MAX;
        uintptr_t start = s->slots + (uintptr_t)i * s->slot_size;
        /*
         * The block's own header, at its slot's start, which the program
         * has just been using (the slot's record is a cache line away,
         * and a miss there was most of a check's cost): a size that fits
         * the slot, an API id, then the 7 forbidden bytes.  A freed
         * block's header is 0xDD, an aligned block's slot starts with its
         * gap of 0xFD, a damaged header is damaged: each goes to the
         * record.  Small spans only: a large block's pages may be
         * PROT_NONE.
         */
        uint64_t size_be, id_and_pad;
        memcpy(&size_be, (const void *)start, sizeof size_be);
        memcpy(&id_and_pad, (const void *)(start + 8), sizeof id_and_pad);
        uint64_t size = __builtin_bswap64(size_be);
        if ((id_and_pad >> 8) == 0xFDFDFDFDFDFDFDull &&
            size <= s->slot_size - 2 * sizeof(size_t)) {
            uintptr_t p = start + 2 * sizeof(size_t);
            if (a < p || a - p >= size)
                return 0;
            return (size_t)(size - (a - p));
        }
        struct heap_slot slot = {start, s->slot_size, &s->meta[i], NULL};
        return room_in_slot(a, &slot);
    }
    struct heap_slot slot;
    if (!heap_span_slot_of(a, &slot))
        return SIZE_MAX;
    return room_in_slot(a, &slot);
}

/* LEN bytes at START, all read or written.  START is passed as an
 * address (check_range below): GCC takes a pointer to a buffer that
 * read() only writes, passed on, as read uninitialized. */
FAST void
check_range_at(const char *func, enum access_kind kind, uintptr_t start,
               size_t len)
{
    if (len && len > room((const void *)start))
        bad_at(func, kind, start, len);
}
#define check_range(func, kind, start, len)                                   \
    check_range_at(func, kind, (uintptr_t)(start), len)

/* N elements of SIZE bytes at START: N * SIZE bytes, when it fits. */
FAST void
check_elements(const char *func, enum access_kind kind, const void *start,
               size_t n, size_t size)
{
    if (n <= SIZE_MAX / size)
        check_range(func, kind, start, n * size);
}

/* Elements of ESIZE bytes in ROOM bytes (SIZE_MAX: no bound). */
FAST size_t
elements(size_t room_bytes, size_t esize)
{
    return room_bytes == SIZE_MAX ? SIZE_MAX : room_bytes / esize;
}

/* strnlen (ESIZE 1) or wcsnlen of the string at S. */
FAST size_t
plain_strnlen(const void *s, size_t max, size_t esize)
{
    return esize == 1 ? LIBC(strnlen)(s, max) : LIBC(wcsnlen)(s, max);
}

/* The length of the string at S, of elements of ESIZE bytes (1, or
 * sizeof(wchar_t)), at most MAX, read up to its end: it must end inside
 * its block. */
FAST size_t
checked_strnlen(const char *func, const void *s, size_t max, size_t esize)
{
    if (max == 0)
        return 0;
    size_t e = elements(room(s), esize);
    if (e >= max)
        return plain_strnlen(s, max, esize);
    if (e > 0) {
        size_t n = plain_strnlen(s, e, esize);
        if (n < e)
            return n;
    }
    bad(func, READ, s, (e + 1) * esize);
    return plain_strnlen(s, max, esize);
}

FAST size_t
checked_strlen(const char *func, const char *s)
{
    return checked_strnlen(func, s, SIZE_MAX, 1);
}

FAST size_t
checked_wcslen(const char *func, const wchar_t *s)
{
    return checked_strnlen(func, s, SIZE_MAX, W);
}

/* The smallest of A, B and C. */
FAST size_t
least(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/*
 * memcmp (ESIZE 1) or wmemcmp (sizeof(wchar_t)) of N elements, which
 * stops at the first difference: both ranges must hold up to there.
 */
FAST void
checked_memcmp(const char *func, const void *a, const void *b, size_t n,
               size_t esize)
{
    if (n == 0 || n > SIZE_MAX / esize)
        return;
    size_t ea = elements(room(a), esize);
    if (ea == 0) {
        bad(func, READ, a, n * esize);
        return;
    }
    size_t eb = elements(room(b), esize);
    if (eb == 0) {
        bad(func, READ, b, n * esize);
        return;
    }
    size_t lim = least(n, ea, eb);
    if (lim == n)
        return;
    int diff = esize == 1 ? LIBC(memcmp)(a, b, lim) : LIBC(wmemcmp)(a, b, lim);
    if (diff)
        return;
    bad(func, READ, ea == lim ? a : b, (lim + 1) * esize);
}

enum string_compare { BY_BYTE, BY_BYTE_ANY_CASE, BY_WIDE };

/* strcmp, strncmp, strcasecmp ... of at most N elements: both strings
 * must hold up to the first difference, or their end. */
FAST void
checked_strcmp(const char *func, const void *a, const void *b, size_t n,
               enum string_compare how)
{
    if (n == 0)
        return;
    size_t esize = how == BY_WIDE ? W : 1;
    size_t ea = elements(room(a), esize);
    if (ea == 0) {
        bad(func, READ, a, esize);
        return;
    }
    size_t eb = elements(room(b), esize);
    if (eb == 0) {
        bad(func, READ, b, esize);
        return;
    }
    size_t lim = least(n, ea, eb);
    if (lim == n)
        return;
    int diff = how == BY_BYTE            ? LIBC(strncmp)(a, b, lim)
               : how == BY_BYTE_ANY_CASE ? LIBC(strncasecmp)(a, b, lim)
                                         : LIBC(wcsncmp)(a, b, lim);
    if (diff || plain_strnlen(a, lim, esize) < lim)
        return; /* differ, or equal and both ended, before LIM */
    bad(func, READ, ea == lim ? a : b, (lim + 1) * esize);
}

/* memchr (ESIZE 1) or wmemchr of N elements for C: up to C. */
FAST void
checked_memchr(const char *func, const void *s, wchar_t c, size_t n,
               size_t esize)
{
    if (n == 0 || n > SIZE_MAX / esize)
        return;
    size_t e = elements(room(s), esize);
    if (e == 0) {
        bad(func, READ, s, n * esize);
        return;
    }
    if (e >= n)
        return;
    if (esize == 1 ? LIBC(memchr)(s, (int)c, e) == NULL
                   : LIBC(wmemchr)(s, c, e) == NULL)
        bad(func, READ, s, (e + 1) * esize);
}

/* strchr, strchrnul, wcschr: the string up to C or its end. */
FAST void
checked_strchr(const char *func, const void *s, wchar_t c, size_t esize)
{
    size_t e = elements(room(s), esize);
    if (e == SIZE_MAX)
        return;
    if (e > 0) {
        if (plain_strnlen(s, e, esize) < e)
            return;
        if (esize == 1 ? LIBC(memchr)(s, (unsigned char)(char)c, e) != NULL
                       : LIBC(wmemchr)(s, c, e) != NULL)
            return;
    }
    bad(func, READ, s, (e + 1) * esize);
}

/* strspn (STOP_IN false: stops at a byte not in SET), strcspn and
 * strpbrk (STOP_IN true): SET whole, then S up to where it stops. */
FAST void
checked_span(const char *func, const char *s, const char *set, bool stop_in)
{
    size_t set_len = checked_strlen(func, set);
    size_t e = room(s);
    if (e == SIZE_MAX)
        return;
    if (e > 0) {
        if (LIBC(strnlen)(s, e) < e)
            return;
        for (size_t i = 0; i < e; i++)
            if ((LIBC(memchr)(set, (unsigned char)s[i], set_len) != NULL) ==
                stop_in)
                return;
    }
    bad(func, READ, s, e + 1);
}

/* ---- Copies, fills, comparisons and searches --------------------------- */

#define COPY(name, T, esize)                                                   \
    PRELOAD_API T *name(T *d, const T *s, size_t n)                            \
    {                                                                          \
        if (ON) {                                                              \
            check_elements(#name, READ, s, n, esize);                          \
            check_elements(#name, WRITE, d, n, esize);                         \
        }                                                                      \
        return LIBC(name)(d, s, n);                                            \
    }
#define COPY_CHK(name, T, esize)                                               \
    PRELOAD_API T *name(T *d, const T *s, size_t n, size_t l)                  \
    {                                                                          \
        if (ON) {                                                              \
            check_elements(#name, READ, s, n, esize);                          \
            check_elements(#name, WRITE, d, n, esize);                         \
        }                                                                      \
        return LIBC(name)(d, s, n, l);                                         \
    }
COPY(memcpy, void, 1)
COPY(mempcpy, void, 1)
COPY(memmove, void, 1)
COPY(wmemcpy, wchar_t, W)
COPY(wmemmove, wchar_t, W)
COPY_CHK(__memcpy_chk, void, 1)
COPY_CHK(__mempcpy_chk, void, 1)
COPY_CHK(__memmove_chk, void, 1)
COPY_CHK(__wmemcpy_chk, wchar_t, W)
COPY_CHK(__wmemmove_chk, wchar_t, W)

PRELOAD_API void *
memset(void *d, int c, size_t n)
{
    if (ON)
        check_range("memset", WRITE, d, n);
    return LIBC(memset)(d, c, n);
}

PRELOAD_API void *
__memset_chk(void *d, int c, size_t n, size_t l)
{
    if (ON)
        check_range("__memset_chk", WRITE, d, n);
    return LIBC(__memset_chk)(d, c, n, l);
}

PRELOAD_API wchar_t *
wmemset(wchar_t *d, wchar_t c, size_t n)
{
    if (ON)
        check_elements("wmemset", WRITE, d, n, W);
    return LIBC(wmemset)(d, c, n);
}

PRELOAD_API wchar_t *
__wmemset_chk(wchar_t *d, wchar_t c, size_t n, size_t l)
{
    if (ON)
        check_elements("__wmemset_chk", WRITE, d, n, W);
    return LIBC(__wmemset_chk)(d, c, n, l);
}

PRELOAD_API void
bzero(void *d, size_t n)
{
    if (ON)
        check_range("bzero", WRITE, d, n);
    LIBC(bzero)(d, n);
}

PRELOAD_API void
explicit_bzero(void *d, size_t n)
{
    if (ON)
        check_range("explicit_bzero", WRITE, d, n);
    LIBC(explicit_bzero)(d, n);
}

PRELOAD_API int
memcmp(const void *a, const void *b, size_t n)
{
    if (ON)
        checked_memcmp("memcmp", a, b, n, 1);
    return LIBC(memcmp)(a, b, n);
}

PRELOAD_API int
bcmp(const void *a, const void *b, size_t n)
{
    if (ON)
        checked_memcmp("bcmp", a, b, n, 1);
    return LIBC(bcmp)(a, b, n);
}

PRELOAD_API int
wmemcmp(const wchar_t *a, const wchar_t *b, size_t n)
{
    if (ON)
        checked_memcmp("wmemcmp", a, b, n, W);
    return LIBC(wmemcmp)(a, b, n);
}

PRELOAD_API void *
memchr(const void *s, int c, size_t n)
{
    if (ON)
        checked_memchr("memchr", s, (unsigned char)c, n, 1);
    return LIBC(memchr)(s, c, n);
}

PRELOAD_API wchar_t *
wmemchr(const wchar_t *s, wchar_t c, size_t n)
{
    if (ON)
        checked_memchr("wmemchr", s, c, n, W);
    return LIBC(wmemchr)(s, c, n);
}

/* memrchr reads from the end: all of it. */
PRELOAD_API void *
memrchr(const void *s, int c, size_t n)
{
    if (ON)
        check_range("memrchr", READ, s, n);
    return LIBC(memrchr)(s, c, n);
}

PRELOAD_API size_t
strlen(const char *s)
{
    if (ON)
        return checked_strlen("strlen", s);
    return LIBC(strlen)(s);
}

PRELOAD_API size_t
strnlen(const char *s, size_t n)
{
    if (ON)
        return checked_strnlen("strnlen", s, n, 1);
    return LIBC(strnlen)(s, n);
}

PRELOAD_API size_t
wcslen(const wchar_t *s)
{
    if (ON)
        return checked_wcslen("wcslen", s);
    return LIBC(wcslen)(s);
}

PRELOAD_API size_t
wcsnlen(const wchar_t *s, size_t n)
{
    if (ON)
        return checked_strnlen("wcsnlen", s, n, W);
    return LIBC(wcsnlen)(s, n);
}

/* strcpy, stpcpy and their wide and _chk kin: the source whole, then
 * the destination for it and its terminator. */
#define STRCPY(name, T, esize, measure)                                        \
    PRELOAD_API T *name(T *d, const T *s)                                      \
    {                                                                          \
        if (ON)                                                                \
            check_range(#name, WRITE, d,                                       \
                        (measure(#name, s) + 1) * esize);                      \
        return LIBC(name)(d, s);                                               \
    }
#define STRCPY_CHK(name, T, esize, measure)                                    \
    PRELOAD_API T *name(T *d, const T *s, size_t l)                            \
    {                                                                          \
        if (ON)                                                                \
            check_range(#name, WRITE, d,                                       \
                        (measure(#name, s) + 1) * esize);                      \
        return LIBC(name)(d, s, l);                                            \
    }
STRCPY(strcpy, char, 1, checked_strlen)
STRCPY(stpcpy, char, 1, checked_strlen)
STRCPY(wcscpy, wchar_t, W, checked_wcslen)
STRCPY(wcpcpy, wchar_t, W, checked_wcslen)
STRCPY_CHK(__strcpy_chk, char, 1, checked_strlen)
STRCPY_CHK(__stpcpy_chk, char, 1, checked_strlen)
STRCPY_CHK(__wcscpy_chk, wchar_t, W, checked_wcslen)
STRCPY_CHK(__wcpcpy_chk, wchar_t, W, checked_wcslen)

/* strncpy and kin: the source up to N or its end; N elements written
 * (the rest are zeros). */
#define STRNCPY(name, T, esize)                                                \
    PRELOAD_API T *name(T *d, const T *s, size_t n)                            \
    {                                                                          \
        if (ON) {                                                              \
            checked_strnlen(#name, s, n, esize);                               \
            check_elements(#name, WRITE, d, n, esize);                         \
        }                                                                      \
        return LIBC(name)(d, s, n);                                            \
    }
#define STRNCPY_CHK(name, T, esize)                                            \
    PRELOAD_API T *name(T *d, const T *s, size_t n, size_t l)                  \
    {                                                                          \
        if (ON) {                                                              \
            checked_strnlen(#name, s, n, esize);                               \
            check_elements(#name, WRITE, d, n, esize);                         \
        }                                                                      \
        return LIBC(name)(d, s, n, l);                                         \
    }
STRNCPY(strncpy, char, 1)
STRNCPY(stpncpy, char, 1)
STRNCPY(wcsncpy, wchar_t, W)
STRNCPY_CHK(__strncpy_chk, char, 1)
STRNCPY_CHK(__stpncpy_chk, char, 1)
STRNCPY_CHK(__wcsncpy_chk, wchar_t, W)

/* strcat and kin: the destination's string, the source's, then the
 * source and a terminator written at the destination's end. */
#define STRCAT(name, T, esize, measure)                                        \
    PRELOAD_API T *name(T *d, const T *s)                                      \
    {                                                                          \
        if (ON) {                                                              \
            size_t dl = measure(#name, d);                                     \
            size_t sl = measure(#name, s);                                     \
            check_range(#name, WRITE, d + dl, (sl + 1) * esize);               \
        }                                                                      \
        return LIBC(name)(d, s);                                               \
    }
#define STRCAT_CHK(name, T, esize, measure)                                    \
    PRELOAD_API T *name(T *d, const T *s, size_t l)                            \
    {                                                                          \
        if (ON) {                                                              \
            size_t dl = measure(#name, d);                                     \
            size_t sl = measure(#name, s);                                     \
            check_range(#name, WRITE, d + dl, (sl + 1) * esize);               \
        }                                                                      \
        return LIBC(name)(d, s, l);                                            \
    }
#define STRNCAT(name, T, esize, measure)                                       \
    PRELOAD_API T *name(T *d, const T *s, size_t n)                            \
    {                                                                          \
        if (ON) {                                                              \
            size_t dl = measure(#name, d);                                     \
            size_t sl = checked_strnlen(#name, s, n, esize);                   \
            check_range(#name, WRITE, d + dl, (sl + 1) * esize);               \
        }                                                                      \
        return LIBC(name)(d, s, n);                                            \
    }
#define STRNCAT_CHK(name, T, esize, measure)                                   \
    PRELOAD_API T *name(T *d, const T *s, size_t n, size_t l)                  \
    {                                                                          \
        if (ON) {                                                              \
            size_t dl = measure(#name, d);                                     \
            size_t sl = checked_strnlen(#name, s, n, esize);                   \
            check_range(#name, WRITE, d + dl, (sl + 1) * esize);               \
        }                                                                      \
        return LIBC(name)(d, s, n, l);                                         \
    }
STRCAT(strcat, char, 1, checked_strlen)
STRCAT(wcscat, wchar_t, W, checked_wcslen)
STRCAT_CHK(__strcat_chk, char, 1, checked_strlen)
STRCAT_CHK(__wcscat_chk, wchar_t, W, checked_wcslen)
STRNCAT(strncat, char, 1, checked_strlen)
STRNCAT(wcsncat, wchar_t, W, checked_wcslen)
STRNCAT_CHK(__strncat_chk, char, 1, checked_strlen)
STRNCAT_CHK(__wcsncat_chk, wchar_t, W, checked_wcslen)

PRELOAD_API int
strcmp(const char *a, const char *b)
{
    if (ON)
        checked_strcmp("strcmp", a, b, SIZE_MAX, BY_BYTE);
    return LIBC(strcmp)(a, b);
}

PRELOAD_API int
strncmp(const char *a, const char *b, size_t n)
{
    if (ON)
        checked_strcmp("strncmp", a, b, n, BY_BYTE);
    return LIBC(strncmp)(a, b, n);
}

PRELOAD_API int
strcasecmp(const char *a, const char *b)
{
    if (ON)
        checked_strcmp("strcasecmp", a, b, SIZE_MAX, BY_BYTE_ANY_CASE);
    return LIBC(strcasecmp)(a, b);
}

PRELOAD_API int
strncasecmp(const char *a, const char *b, size_t n)
{
    if (ON)
        checked_strcmp("strncasecmp", a, b, n, BY_BYTE_ANY_CASE);
    return LIBC(strncasecmp)(a, b, n);
}

PRELOAD_API int
wcscmp(const wchar_t *a, const wchar_t *b)
{
    if (ON)
        checked_strcmp("wcscmp", a, b, SIZE_MAX, BY_WIDE);
    return LIBC(wcscmp)(a, b);
}

PRELOAD_API int
wcsncmp(const wchar_t *a, const wchar_t *b, size_t n)
{
    if (ON)
        checked_strcmp("wcsncmp", a, b, n, BY_WIDE);
    return LIBC(wcsncmp)(a, b, n);
}

PRELOAD_API char *
strchr(const char *s, int c)
{
    if (ON)
        checked_strchr("strchr", s, (unsigned char)c, 1);
    return LIBC(strchr)(s, c);
}

PRELOAD_API char *
strchrnul(const char *s, int c)
{
    if (ON)
        checked_strchr("strchrnul", s, (unsigned char)c, 1);
    return LIBC(strchrnul)(s, c);
}

PRELOAD_API wchar_t *
wcschr(const wchar_t *s, wchar_t c)
{
    if (ON)
        checked_strchr("wcschr", s, c, W);
    return LIBC(wcschr)(s, c);
}

/* strrchr reads the whole string. */
PRELOAD_API char *
strrchr(const char *s, int c)
{
    if (ON)
        checked_strlen("strrchr", s);
    return LIBC(strrchr)(s, c);
}

PRELOAD_API wchar_t *
wcsrchr(const wchar_t *s, wchar_t c)
{
    if (ON)
        checked_wcslen("wcsrchr", s);
    return LIBC(wcsrchr)(s, c);
}

/* The needle whole, then the haystack up to the match, or its end. */
PRELOAD_API char *
strstr(const char *h, const char *n)
{
    if (ON) {
        size_t n_len = checked_strlen("strstr", n);
        size_t e = room(h);
        if (e == 0)
            bad("strstr", READ, h, 1);
        else if (e != SIZE_MAX && LIBC(strnlen)(h, e) == e &&
                 !memmem(h, e, n, n_len))
            bad("strstr", READ, h, e + 1);
    }
    return LIBC(strstr)(h, n);
}

PRELOAD_API size_t
strspn(const char *s, const char *a)
{
    if (ON)
        checked_span("strspn", s, a, false);
    return LIBC(strspn)(s, a);
}

PRELOAD_API size_t
strcspn(const char *s, const char *r)
{
    if (ON)
        checked_span("strcspn", s, r, true);
    return LIBC(strcspn)(s, r);
}

PRELOAD_API char *
strpbrk(const char *s, const char *a)
{
    if (ON)
        checked_span("strpbrk", s, a, true);
    return LIBC(strpbrk)(s, a);
}

PRELOAD_API char *
strdup(const char *s)
{
    if (ON)
        checked_strlen("strdup", s);
    return LIBC(strdup)(s);
}

PRELOAD_API char *
strndup(const char *s, size_t n)
{
    if (ON)
        checked_strnlen("strndup", s, n, 1);
    return LIBC(strndup)(s, n);
}

PRELOAD_API wchar_t *
wcsdup(const wchar_t *s)
{
    if (ON)
        checked_wcslen("wcsdup", s);
    return LIBC(wcsdup)(s);
}

/* ---- Input and output ---------------------------------------------------- */

PRELOAD_API ssize_t
read(int fd, void *b, size_t n)
{
    if (ON)
        check_range("read", WRITE, b, n);
    return LIBC(read)(fd, b, n);
}

PRELOAD_API ssize_t
__read_chk(int fd, void *b, size_t n, size_t l)
{
    if (ON)
        check_range("__read_chk", WRITE, b, n);
    return LIBC(__read_chk)(fd, b, n, l);
}

PRELOAD_API ssize_t
pread(int fd, void *b, size_t n, off_t o)
{
    if (ON)
        check_range("pread", WRITE, b, n);
    return LIBC(pread)(fd, b, n, o);
}

PRELOAD_API ssize_t
__pread_chk(int fd, void *b, size_t n, off_t o, size_t l)
{
    if (ON)
        check_range("__pread_chk", WRITE, b, n);
    return LIBC(__pread_chk)(fd, b, n, o, l);
}

PRELOAD_API ssize_t
pread64(int fd, void *b, size_t n, off64_t o)
{
    if (ON)
        check_range("pread64", WRITE, b, n);
    return LIBC(pread64)(fd, b, n, o);
}

PRELOAD_API ssize_t
__pread64_chk(int fd, void *b, size_t n, off64_t o, size_t l)
{
    if (ON)
        check_range("__pread64_chk", WRITE, b, n);
    return LIBC(__pread64_chk)(fd, b, n, o, l);
}

/* Each buffer whole, in order (the kernel's EINVAL cases are its own). */
FAST void
check_iovecs(const char *func, enum access_kind kind, const struct iovec *v,
             int n)
{
    for (int i = 0; i < n; i++)
        check_range(func, kind, v[i].iov_base, v[i].iov_len);
}

PRELOAD_API ssize_t
readv(int fd, const struct iovec *v, int n)
{
    if (ON)
        check_iovecs("readv", WRITE, v, n);
    return LIBC(readv)(fd, v, n);
}

PRELOAD_API ssize_t
writev(int fd, const struct iovec *v, int n)
{
    if (ON)
        check_iovecs("writev", READ, v, n);
    return LIBC(writev)(fd, v, n);
}

PRELOAD_API size_t
fread(void *b, size_t s, size_t n, FILE *f)
{
    if (ON && s)
        check_elements("fread", WRITE, b, n, s);
    return LIBC(fread)(b, s, n, f);
}

PRELOAD_API size_t
fread_unlocked(void *b, size_t s, size_t n, FILE *f)
{
    if (ON && s)
        check_elements("fread_unlocked", WRITE, b, n, s);
    return LIBC(fread_unlocked)(b, s, n, f);
}

PRELOAD_API size_t
__fread_chk(void *b, size_t l, size_t s, size_t n, FILE *f)
{
    if (ON && s)
        check_elements("__fread_chk", WRITE, b, n, s);
    return LIBC(__fread_chk)(b, l, s, n, f);
}

PRELOAD_API size_t
__fread_unlocked_chk(void *b, size_t l, size_t s, size_t n, FILE *f)
{
    if (ON && s)
        check_elements("__fread_unlocked_chk", WRITE, b, n, s);
    return LIBC(__fread_unlocked_chk)(b, l, s, n, f);
}

PRELOAD_API char *
fgets(char *b, int n, FILE *f)
{
    if (ON && n > 0)
        check_range("fgets", WRITE, b, (size_t)n);
    return LIBC(fgets)(b, n, f);
}

PRELOAD_API char *
__fgets_chk(char *b, size_t l, int n, FILE *f)
{
    if (ON && n > 0)
        check_range("__fgets_chk", WRITE, b, (size_t)n);
    return LIBC(__fgets_chk)(b, l, n, f);
}

PRELOAD_API ssize_t
recv(int fd, void *b, size_t n, int fl)
{
    if (ON)
        check_range("recv", WRITE, b, n);
    return LIBC(recv)(fd, b, n, fl);
}

PRELOAD_API ssize_t
__recv_chk(int fd, void *b, size_t n, size_t l, int fl)
{
    if (ON)
        check_range("__recv_chk", WRITE, b, n);
    return LIBC(__recv_chk)(fd, b, n, l, fl);
}

PRELOAD_API ssize_t
recvfrom(int fd, void *b, size_t n, int fl, __SOCKADDR_ARG a, socklen_t *al)
{
    if (ON)
        check_range("recvfrom", WRITE, b, n);
    return LIBC(recvfrom)(fd, b, n, fl, a, al);
}

PRELOAD_API ssize_t
__recvfrom_chk(int fd, void *b, size_t n, size_t l, int fl, __SOCKADDR_ARG a,
               socklen_t *al)
{
    if (ON)
        check_range("__recvfrom_chk", WRITE, b, n);
    return LIBC(__recvfrom_chk)(fd, b, n, l, fl, a, al);
}

PRELOAD_API ssize_t
write(int fd, const void *b, size_t n)
{
    if (ON)
        check_range("write", READ, b, n);
    return LIBC(write)(fd, b, n);
}

PRELOAD_API ssize_t
pwrite(int fd, const void *b, size_t n, off_t o)
{
    if (ON)
        check_range("pwrite", READ, b, n);
    return LIBC(pwrite)(fd, b, n, o);
}

PRELOAD_API ssize_t
pwrite64(int fd, const void *b, size_t n, off64_t o)
{
    if (ON)
        check_range("pwrite64", READ, b, n);
    return LIBC(pwrite64)(fd, b, n, o);
}

PRELOAD_API size_t
fwrite(const void *b, size_t s, size_t n, FILE *f)
{
    if (ON && s)
        check_elements("fwrite", READ, b, n, s);
    return LIBC(fwrite)(b, s, n, f);
}

PRELOAD_API ssize_t
send(int fd, const void *b, size_t n, int fl)
{
    if (ON)
        check_range("send", READ, b, n);
    return LIBC(send)(fd, b, n, fl);
}

PRELOAD_API ssize_t
sendto(int fd, const void *b, size_t n, int fl, __CONST_SOCKADDR_ARG a,
       socklen_t al)
{
    if (ON)
        check_range("sendto", READ, b, n);
    return LIBC(sendto)(fd, b, n, fl, a, al);
}

/* ---- Formatted output into a buffer ------------------------------------ */

/* What checked_vsnprintf() says for "make the plain call": no vsnprintf
 * returns it (errors are -1). */
#define PLAIN (-2)

/*
 * vsnprintf of at most SIZE bytes (SIZE_MAX: sprintf's "enough") into
 * B, through glibc's __vsnprintf_chk when CHK (FLAG and SLEN are its),
 * never past the end of B's block: the size is clipped there, and an
 * output that did not fit where SIZE said it would is reported, as a
 * write of the bytes the call would have written.
 */
HOOK_PATH static int
checked_vsnprintf(const char *func, char *b, size_t size, bool chk, int flag,
                  size_t slen, const char *f, va_list ap)
{
    size_t left = room(b);
    if (size <= left)
        return PLAIN; /* no block, or room enough */
    int n;
    if (left == 0) {
        /* Not one byte may be written: the length alone. */
        n = chk ? LIBC(__vsnprintf_chk)(NULL, 0, flag, slen, f, ap)
                : LIBC(vsnprintf)(NULL, 0, f, ap);
    } else {
        n = chk ? LIBC(__vsnprintf_chk)(b, left, flag, slen, f, ap)
                : LIBC(vsnprintf)(b, left, f, ap);
        if (n < 0 || (size_t)n < left)
            return n; /* it fit: the very output of the plain call */
    }
    size_t wrote = n < 0 ? 1 : (size_t)n + 1;
    if (bad(func, WRITE, b, wrote < size ? wrote : size))
        return n; /* --keep-going: the output stays clipped */
    return PLAIN; /* the block changed meanwhile: the call, whole */
}

PRELOAD_API int
vsnprintf(char *b, size_t n, const char *f, va_list ap)
{
    if (ON && n) {
        va_list copy;
        va_copy(copy, ap);
        int r = checked_vsnprintf("vsnprintf", b, n, false, 0, 0, f, copy);
        va_end(copy);
        if (r != PLAIN)
            return r;
    }
    return LIBC(vsnprintf)(b, n, f, ap);
}

PRELOAD_API int
snprintf(char *b, size_t n, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = PLAIN;
    if (ON && n) {
        va_list copy;
        va_copy(copy, ap);
        r = checked_vsnprintf("snprintf", b, n, false, 0, 0, f, copy);
        va_end(copy);
    }
    if (r == PLAIN)
        r = LIBC(vsnprintf)(b, n, f, ap);
    va_end(ap);
    return r;
}

PRELOAD_API int
vsprintf(char *b, const char *f, va_list ap)
{
    if (ON) {
        va_list copy;
        va_copy(copy, ap);
        int r = checked_vsnprintf("vsprintf", b, SIZE_MAX, false, 0, 0, f,
                                  copy);
        va_end(copy);
        if (r != PLAIN)
            return r;
    }
    return LIBC(vsprintf)(b, f, ap);
}

PRELOAD_API int
sprintf(char *b, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = PLAIN;
    if (ON) {
        va_list copy;
        va_copy(copy, ap);
        r = checked_vsnprintf("sprintf", b, SIZE_MAX, false, 0, 0, f, copy);
        va_end(copy);
    }
    if (r == PLAIN)
        r = LIBC(vsprintf)(b, f, ap);
    va_end(ap);
    return r;
}

/* glibc's own check first when it would fail before writing anything
 * (a size larger than the object), so that it fails as it does. */
PRELOAD_API int
__vsnprintf_chk(char *b, size_t n, int fl, size_t l, const char *f,
                va_list ap)
{
    if (ON && n && n <= l) {
        va_list copy;
        va_copy(copy, ap);
        int r = checked_vsnprintf("__vsnprintf_chk", b, n, true, fl, l, f,
                                  copy);
        va_end(copy);
        if (r != PLAIN)
            return r;
    }
    return LIBC(__vsnprintf_chk)(b, n, fl, l, f, ap);
}

PRELOAD_API int
__snprintf_chk(char *b, size_t n, int fl, size_t l, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = PLAIN;
    if (ON && n && n <= l) {
        va_list copy;
        va_copy(copy, ap);
        r = checked_vsnprintf("__snprintf_chk", b, n, true, fl, l, f, copy);
        va_end(copy);
    }
    if (r == PLAIN)
        r = LIBC(__vsnprintf_chk)(b, n, fl, l, f, ap);
    va_end(ap);
    return r;
}

/* __vsprintf_chk writes at most L bytes (and fails past them): a block
 * with room for L needs no check. */
PRELOAD_API int
__vsprintf_chk(char *b, int fl, size_t l, const char *f, va_list ap)
{
    if (ON && l) {
        va_list copy;
        va_copy(copy, ap);
        int r = checked_vsnprintf("__vsprintf_chk", b, l, true, fl, l, f,
                                  copy);
        va_end(copy);
        if (r != PLAIN)
            return r;
    }
    return LIBC(__vsprintf_chk)(b, fl, l, f, ap);
}

PRELOAD_API int
__sprintf_chk(char *b, int fl, size_t l, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = PLAIN;
    if (ON && l) {
        va_list copy;
        va_copy(copy, ap);
        r = checked_vsnprintf("__sprintf_chk", b, l, true, fl, l, f, copy);
        va_end(copy);
    }
    if (r == PLAIN)
        r = LIBC(__vsprintf_chk)(b, fl, l, f, ap);
    va_end(ap);
    return r;
}
