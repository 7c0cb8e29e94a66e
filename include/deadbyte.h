/* SPDX-License-Identifier: MIT */
/*
 * deadbyte.h -- the public API of libdeadbyte.
 *
 * libdeadbyte is a debugging allocator library in the style of CPython's
 * debug hooks on the memory allocators (PYTHONMALLOC=debug).  Memory is
 * allocated in three domains (raw, mem, obj), each served by a pluggable
 * allocator; the debug hooks wrap whatever allocator a domain has and lay
 * out a "debug block" around every allocation: the requested size and an
 * API id before the data, guard bytes on both sides, fill patterns for new
 * and freed memory, and a serial number.  Releasing or resizing a block
 * checks it, and a damaged block is a fatal error with a report.
 *
 * The block layout, the fill bytes and every line of the report are
 * described in deadbyte(7); the functions in libdeadbyte(3).
 */
#ifndef DEADBYTE_H
#define DEADBYTE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define DEADBYTE_API __attribute__((visibility("default")))
#define DEADBYTE_NOINLINE __attribute__((noinline))
#define DEADBYTE_ATTR_MALLOC __attribute__((malloc, warn_unused_result))
#define DEADBYTE_ATTR_ALLOC_SIZE(n) __attribute__((alloc_size(n)))
#define DEADBYTE_ATTR_ALLOC_SIZE2(n, m) __attribute__((alloc_size(n, m)))
#define DEADBYTE_ATTR_WUR __attribute__((warn_unused_result))
#else
#define DEADBYTE_API
#define DEADBYTE_NOINLINE
#define DEADBYTE_ATTR_MALLOC
#define DEADBYTE_ATTR_ALLOC_SIZE(n)
#define DEADBYTE_ATTR_ALLOC_SIZE2(n, m)
#define DEADBYTE_ATTR_WUR
#endif

/* ------------------------------------------------------------------ */
/* Version                                                             */
/* ------------------------------------------------------------------ */

#define DEADBYTE_VERSION_MAJOR 0
#define DEADBYTE_VERSION_MINOR 1
#define DEADBYTE_VERSION_PATCH 0

/*
 * deadbyte_version - the version of the library actually loaded, as
 * "MAJOR.MINOR.PATCH" (compare with the DEADBYTE_VERSION_* macros, which
 * give the version of the header a program was compiled against).
 * Thread-safe; never fails.
 */
DEADBYTE_API const char *deadbyte_version(void);

/* ------------------------------------------------------------------ */
/* Domains and allocators                                              */
/* ------------------------------------------------------------------ */

/*
 * The three allocation domains.  Each has its own allocator and its own
 * API id, recorded in every debug block: a block must be released through
 * the domain that made it.
 *
 *   DEADBYTE_DOMAIN_RAW  API id 'r'.  Thread-safe; meant for memory a
 *                        program could also get from malloc().
 *   DEADBYTE_DOMAIN_MEM  API id 'm'.  General-purpose buffers.
 *   DEADBYTE_DOMAIN_OBJ  API id 'o'.  Objects.
 *
 * As in CPython, the raw domain sits on the C library's allocator and the
 * mem and obj domains on the small-object allocator (CPython's pymalloc:
 * requests of up to 512 bytes from pools in 1 MiB arenas, the rest from
 * the C library), with the debug hooks installed on top of all three.
 * The small-object allocator is not thread-safe: a program calls the mem
 * and obj domains with its own lock held (CPython's GIL), which
 * deadbyte_set_lock_check() lets the hooks verify.  DEADBYTE_MALLOC
 * chooses other set-ups (see deadbyte(1)).
 */
typedef enum deadbyte_domain {
    DEADBYTE_DOMAIN_RAW = 0,
    DEADBYTE_DOMAIN_MEM = 1,
    DEADBYTE_DOMAIN_OBJ = 2
} deadbyte_domain_t;

/*
 * An allocator: four functions and the context passed to each of them
 * (CPython's PyMemAllocatorEx).  The functions get the same contracts as
 * the domain functions below, except that they need not handle size 0,
 * realloc(NULL, n) or free(NULL) themselves: the debug hooks never pass
 * those on.
 */
typedef struct deadbyte_allocator {
    void *ctx;
    void *(*malloc)(void *ctx, size_t size);
    void *(*calloc)(void *ctx, size_t nelem, size_t elsize);
    void *(*realloc)(void *ctx, void *ptr, size_t new_size);
    void (*free)(void *ctx, void *ptr);
} deadbyte_allocator_t;

/*
 * deadbyte_get_allocator - copy the allocator of DOMAIN into *ALLOCATOR.
 * With the debug hooks installed, that is the hooks themselves, whose ctx
 * holds the allocator they wrap.
 *
 * Returns 0, or -1 with errno EINVAL if DOMAIN is not one of the three or
 * ALLOCATOR is NULL.  Not synchronised with allocations: call it before
 * other threads use the domain.
 */
DEADBYTE_API int deadbyte_get_allocator(deadbyte_domain_t domain,
                                        deadbyte_allocator_t *allocator);

/*
 * deadbyte_set_allocator - make *ALLOCATOR the allocator of DOMAIN.
 *
 * Blocks already allocated must still be released by the allocator that
 * made them: set allocators before the domain is used, as in CPython.
 * Setting an allocator removes the debug hooks from the domain; call
 * deadbyte_setup_debug_hooks() afterwards to put them back on top of it.
 *
 * Returns 0, or -1 with errno EINVAL if DOMAIN is not one of the three,
 * ALLOCATOR is NULL or one of its four functions is NULL.  Not
 * synchronised with allocations.
 */
DEADBYTE_API int deadbyte_set_allocator(deadbyte_domain_t domain,
                                        const deadbyte_allocator_t *allocator);

/* ------------------------------------------------------------------ */
/* Debug hooks                                                         */
/* ------------------------------------------------------------------ */

/*
 * deadbyte_setup_debug_hooks - install the debug hooks on every domain,
 * on top of the allocator the domain has now.  Idempotent: a domain whose
 * allocator already is the debug hooks is left alone, so the hooks are
 * never stacked twice.  The hooks are installed at load time, so a program
 * only needs this after deadbyte_set_allocator().  Not synchronised with
 * allocations.
 */
DEADBYTE_API void deadbyte_setup_debug_hooks(void);

/* ------------------------------------------------------------------ */
/* Allocating in a domain                                              */
/* ------------------------------------------------------------------ */

/*
 * deadbyte_<domain>_malloc, _calloc, _realloc, _free - allocate and
 * release memory in the raw, mem and obj domains (CPython's PyMem_Raw*,
 * PyMem_* and PyObject_* families).
 *
 * malloc(n) returns n bytes, or NULL with errno ENOMEM; with the debug
 * hooks, the bytes are filled with 0xCD (CLEANBYTE).  A request for zero
 * bytes returns a distinct, non-NULL pointer that must be freed.
 *
 * calloc(nelem, elsize) returns nelem * elsize zeroed bytes; a product
 * that overflows size_t gives NULL with errno ENOMEM.
 *
 * realloc(p, n) resizes the block at p (which must come from the same
 * domain) and may move it; realloc(NULL, n) is malloc(n); realloc(p, 0)
 * returns a zero-byte block, it does not free.  On failure it returns NULL
 * with errno ENOMEM and leaves the block at p unchanged and valid.  With
 * the hooks, the bytes added by growing are 0xCD and the bytes cut off by
 * shrinking are filled with 0xDD (DEADBYTE) before they are released.
 *
 * free(p) releases the block at p; free(NULL) does nothing.  With the
 * hooks, the whole block is filled with 0xDD first.
 *
 * With the hooks, realloc and free first check that p was made by the same
 * domain (the API id) and that the guard bytes on both sides are intact;
 * if not, they write a report to standard error and abort the program.
 *
 * All of them preserve errno on success.  The raw functions are
 * thread-safe; the mem and obj functions must be called with the
 * program's lock held, one thread at a time (deadbyte_set_lock_check).
 */
DEADBYTE_API void *deadbyte_raw_malloc(size_t size)
    DEADBYTE_ATTR_MALLOC DEADBYTE_ATTR_ALLOC_SIZE(1);
DEADBYTE_API void *deadbyte_raw_calloc(size_t nelem, size_t elsize)
    DEADBYTE_ATTR_MALLOC DEADBYTE_ATTR_ALLOC_SIZE2(1, 2);
DEADBYTE_API void *deadbyte_raw_realloc(void *ptr, size_t new_size)
    DEADBYTE_ATTR_WUR DEADBYTE_ATTR_ALLOC_SIZE(2);
DEADBYTE_API void deadbyte_raw_free(void *ptr);

DEADBYTE_API void *deadbyte_mem_malloc(size_t size)
    DEADBYTE_ATTR_MALLOC DEADBYTE_ATTR_ALLOC_SIZE(1);
DEADBYTE_API void *deadbyte_mem_calloc(size_t nelem, size_t elsize)
    DEADBYTE_ATTR_MALLOC DEADBYTE_ATTR_ALLOC_SIZE2(1, 2);
DEADBYTE_API void *deadbyte_mem_realloc(void *ptr, size_t new_size)
    DEADBYTE_ATTR_WUR DEADBYTE_ATTR_ALLOC_SIZE(2);
DEADBYTE_API void deadbyte_mem_free(void *ptr);

DEADBYTE_API void *deadbyte_obj_malloc(size_t size)
    DEADBYTE_ATTR_MALLOC DEADBYTE_ATTR_ALLOC_SIZE(1);
DEADBYTE_API void *deadbyte_obj_calloc(size_t nelem, size_t elsize)
    DEADBYTE_ATTR_MALLOC DEADBYTE_ATTR_ALLOC_SIZE2(1, 2);
DEADBYTE_API void *deadbyte_obj_realloc(void *ptr, size_t new_size)
    DEADBYTE_ATTR_WUR DEADBYTE_ATTR_ALLOC_SIZE(2);
DEADBYTE_API void deadbyte_obj_free(void *ptr);

/*
 * DEADBYTE_NEW(type, n) - allocate n objects of TYPE in the mem domain
 * (CPython's PyMem_New).  Returns a TYPE *, or NULL with errno ENOMEM,
 * also when n * sizeof(TYPE) would overflow.
 *
 * DEADBYTE_RESIZE(p, type, n) - resize p to n objects of TYPE (CPython's
 * PyMem_Resize).  A macro that ASSIGNS the result to p, also when it is
 * NULL: keep a copy of p if you need the old block after a failure.
 *
 * DEADBYTE_DEL(p) - release a block made by DEADBYTE_NEW/DEADBYTE_RESIZE.
 */
#define DEADBYTE_NEW(type, n)                                                \
    ((size_t)(n) > (size_t)PTRDIFF_MAX / sizeof(type)                        \
         ? (errno = ENOMEM, (type *)NULL)                                    \
         : (type *)deadbyte_mem_malloc((size_t)(n) * sizeof(type)))
#define DEADBYTE_RESIZE(p, type, n)                                          \
    ((p) = ((size_t)(n) > (size_t)PTRDIFF_MAX / sizeof(type)                 \
                ? (errno = ENOMEM, (type *)NULL)                             \
                : (type *)deadbyte_mem_realloc((p), (size_t)(n) * sizeof(type))))
#define DEADBYTE_DEL(p) deadbyte_mem_free(p)

/* ------------------------------------------------------------------ */
/* The small-object allocator                                          */
/* ------------------------------------------------------------------ */

/*
 * An arena allocator: where the small-object allocator gets its arenas
 * of 1 MiB (CPython's PyObjectArenaAllocator).  alloc(ctx, size) returns
 * SIZE bytes, or NULL; it need not align them (the allocator rounds to
 * its 16 KiB pools inside the arena, losing one pool if it must).
 * free(ctx, ptr, size) releases an arena alloc returned, with its size.
 */
typedef struct deadbyte_arena_allocator {
    void *ctx;
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *ptr, size_t size);
} deadbyte_arena_allocator_t;

/*
 * deadbyte_get_arena_allocator - copy the arena allocator into
 * *ALLOCATOR (nothing if ALLOCATOR is NULL).  The default maps arenas
 * with mmap() and unmaps them with munmap().
 *
 * deadbyte_set_arena_allocator - take new arenas from *ALLOCATOR; NULL,
 * or a NULL function, puts the default back.  Arenas already allocated
 * are still given back to the allocator that made them.  An arena is
 * given back when all its blocks are free, except the last usable one
 * (kept so that a loop that allocates and frees one block does not map
 * and unmap an arena each time).
 *
 * Neither is synchronised with allocations: call them with the lock the
 * mem and obj domains need.  @since 0.1.0
 */
DEADBYTE_API void deadbyte_get_arena_allocator(
    deadbyte_arena_allocator_t *allocator);
DEADBYTE_API void deadbyte_set_arena_allocator(
    const deadbyte_arena_allocator_t *allocator);

/*
 * deadbyte_print_stats - write the small-object allocator's statistics to
 * the file descriptor FD, in the layout of CPython's PYTHONMALLOCSTATS:
 * the size classes in use (pools, blocks in use, blocks available), the
 * arenas (allocated, reclaimed, high-water mark), where the arenas' bytes
 * go (blocks, unused pools, pool headers, quantization, alignment; the
 * lines add up to the Total), and the size of the arena map.  Prints
 * nothing when neither the mem nor the obj domain uses the small-object
 * allocator.  Uses write(2) only: no malloc, no stdio.  Call it with the
 * lock the mem and obj domains need.  @since 0.1.0
 */
DEADBYTE_API void deadbyte_print_stats(int fd);

/* ------------------------------------------------------------------ */
/* Lock check                                                          */
/* ------------------------------------------------------------------ */

/*
 * deadbyte_set_lock_check - tell the debug hooks how to check that the
 * calling thread holds the program's lock, which the mem and obj domains
 * require (CPython's hooks check the GIL the same way).  HELD(CTX) must
 * return non-zero when the calling thread holds it, without allocating.
 * From then on, a mem or obj call made while HELD returns 0 is a fatal
 * error, whose report ends with the lines
 *
 *   deadbyte: deadbyte_mem_malloc called without the lock held
 *   (deadbyte_set_lock_check)
 *   Fatal error: deadbyte_mem_malloc: called without holding the lock
 *
 * (the first two are one line).  Only the debug hooks check, as in
 * CPython: in the modes without them nothing is checked.
 *
 * HELD NULL turns the check off (the default).  Not synchronised with
 * allocations: call it before other threads use the domains.
 * @since 0.1.0
 */
DEADBYTE_API void deadbyte_set_lock_check(int (*held)(void *ctx), void *ctx);

/* ------------------------------------------------------------------ */
/* Tracking memory deadbyte did not allocate                           */
/* ------------------------------------------------------------------ */

/*
 * deadbyte_track - register SIZE bytes at PTR, which the program got
 * elsewhere (its own pool, mmap), as a block of DOMAIN (CPython's
 * PyTraceMalloc_Track): from then on it has an allocation traceback
 * (this call's), leak reports at exit list it if nothing points to it
 * ("registered with deadbyte_track"), and the statistics count it.
 * deadbyte writes nothing around it, so it has no guard bytes and no
 * serial number; releasing it with a deadbyte function is a fatal error.
 * Tracking a pointer again replaces its size and traceback.
 *
 * deadbyte_untrack - forget the block at PTR, tracked in DOMAIN (CPython's
 * PyTraceMalloc_Untrack), before the program releases it its own way.
 *
 * Both return 0 on success; -2 if the debug hooks are not on for DOMAIN
 * (CPython: tracemalloc is not tracing; see DEADBYTE_MALLOC); -1 with
 * errno set if DOMAIN is not a domain or PTR is NULL (EINVAL), if PTR is
 * a block deadbyte made or one tracked in another domain (deadbyte_track:
 * EEXIST), or is not tracked in DOMAIN (deadbyte_untrack: EINVAL; CPython
 * says 0 there, which hides a bug).  Thread-safe.  @since 0.1.0
 */
DEADBYTE_API int deadbyte_track(deadbyte_domain_t domain, const void *ptr,
                                size_t size);
DEADBYTE_API int deadbyte_untrack(deadbyte_domain_t domain, const void *ptr);

/* ------------------------------------------------------------------ */
/* Serial numbers and breakpoints                                      */
/* ------------------------------------------------------------------ */

/*
 * deadbyte_get_serialno - the serial number of the last block handed out
 * by the debug hooks in this process, in any domain (0 before the first
 * one).  Every successful malloc, calloc and realloc through the hooks
 * takes a number, and a report names the number of the damaged block
 * ("The block was made by call #N ...").  While a single thread has
 * allocated, the numbers are 1, 2, 3, ... in the order the blocks are
 * made, the same in every run.  Once a second thread allocates, each
 * thread takes its numbers from runs of 64 it reserves (one shared
 * counter touched at every block made threads queue on it): numbers stay
 * unique but no longer follow the order of allocation, and this returns
 * the highest number reserved.  Thread-safe.  Always 0 when serial
 * numbers are turned off (DEADBYTE_SERIALNO=0).
 */
DEADBYTE_API size_t deadbyte_get_serialno(void);

/*
 * deadbyte_serialno_bump - take the next serial number and return it.
 * This is the only place where the counter moves and it is never inlined:
 * it is where to put a debugger breakpoint to stop when block N is made,
 * e.g. in gdb:
 *
 *     break deadbyte_serialno_bump
 *     condition 1 deadbyte_get_serialno() == N - 1
 *
 * (exact while one thread allocates; with several, use --break-at N,
 * which compares each block's own number).  The debug hooks call it
 * after each successful allocation.  Programs should not call it: every
 * call uses up a number.  Thread-safe.
 */
DEADBYTE_API DEADBYTE_NOINLINE size_t deadbyte_serialno_bump(void);

/*
 * deadbyte_breakpoint - called when a block whose serial number is listed
 * in DEADBYTE_BREAK_AT (the launcher's --break-at) is handed out, with the
 * block's serial number, pointer, size and API id.  Never inlined: the
 * place for a debugger breakpoint.  Under a debugger (any ptrace tracer)
 * it stops the program with a trap in this very function, so that "up"
 * leads to the code that allocated; without one it writes where the block
 * was made (a traceback) and returns, or, with
 * DEADBYTE_BREAK_ACTION=trap, kills the program with SIGTRAP.
 * Programs do not call it.
 */
DEADBYTE_API DEADBYTE_NOINLINE void deadbyte_breakpoint(size_t serial,
                                                        void *p, size_t size,
                                                        char api);

/* ------------------------------------------------------------------ */
/* Checks                                                              */
/* ------------------------------------------------------------------ */

/*
 * deadbyte_check_heap - check every block at once: the guard bytes, API
 * id and size field of every live block, and the DEADBYTE fill of every
 * freed block still in the quarantine (a changed byte there is a write
 * after free).  A fault is a fatal error with the usual report; so the
 * function returns only when the heap is sound, and then returns 0.
 *
 * It also runs every N allocator calls with DEADBYTE_CHECK_EVERY=N, and
 * at exit.  Thread-safe: it visits the heap a part at a time, and other
 * threads go on allocating in the parts it is not visiting.
 */
DEADBYTE_API int deadbyte_check_heap(void);

#ifdef __cplusplus
}
#endif

#endif /* DEADBYTE_H */
