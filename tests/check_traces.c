/* SPDX-License-Identifier: MIT */
/*
 * check_traces.c -- interning of call stacks: the same stack gets the
 * same id, stacks made of the same return addresses in another order get
 * other ids, tens of thousands of distinct stacks (a recursive function
 * called from four sites) all stay distinct and readable while the table
 * grows, also with threads adding at once; and a stack that cannot be
 * kept says the true reason.
 *
 * Captures without libunwind (the walk by rules from the CFI, and memos of
 * walks) give exactly the id of unw_backtrace() at the same point: through
 * different paths, in recursion, in a stack that differs from the last one
 * only in its outermost frame, after longjmp, in signal handlers (also on
 * an alternate stack), through frames with alloca (their CFA from RBP),
 * and in threads at once.
 */
#include "config.h"

#include "fmt.h"
#include "frames.h"
#include "options.h"
#include "traces.h"
#include "util.h"

#include <alloca.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include <ucontext.h>

/*
 * walk0 .. walk3: a recursion that takes the path spelled by CODE in base
 * 4 (one digit per level, each digit picking the function of the next
 * level) and captures the stack at the bottom.  The bodies differ (a
 * count of their own), so no compiler folds them into one; the asm after
 * each call keeps the calls from becoming jumps.
 */
static volatile unsigned visits[4];

/*
 * The stack at one call site (a loop the compiler cannot unroll) by each
 * method, in IDS: the default (a memo when one holds), the walk alone and
 * unw_backtrace() alone.  HERE gets an address in this frame, to tell
 * stacks at the same stack pointer.
 */
static volatile int methods = 3;
static __thread uintptr_t here;

static __attribute__((noinline)) void
capture_all(uint32_t ids[3])
{
    volatile char mark = 0;
    here = (uintptr_t)&mark;
    for (int i = 0; i < methods; i++) {
        traces_set_method(i == 0   ? TRACES_METHOD_AUTO
                          : i == 1 ? TRACES_METHOD_WALK
                                   : TRACES_METHOD_LIBUNWIND);
        ids[i] = traces_capture();
    }
    traces_set_method(TRACES_METHOD_AUTO);
    __asm__ volatile("" : : "r"(&mark) : "memory");
}

/* The same, keeping nothing in registers across the captures, so that
 * it saves no RBP: its caller's RBP is the one in the register. */
static __thread uint32_t *lean_ids;
static __thread int lean_i;

static __attribute__((noinline)) void
capture_all_lean(void)
{
    for (lean_i = 0; lean_i < methods; lean_i++) {
        traces_set_method(lean_i == 0   ? TRACES_METHOD_AUTO
                          : lean_i == 1 ? TRACES_METHOD_WALK
                                        : TRACES_METHOD_LIBUNWIND);
        lean_ids[lean_i] = traces_capture();
    }
    traces_set_method(TRACES_METHOD_AUTO);
}

/* Every method gave unw_backtrace's id (a stored stack). */
#define ck_assert_same_ids(ids)                                                \
    do {                                                                       \
        ck_assert_uint_ge((ids)[2], TRACES_FIRST_ID);                          \
        ck_assert_uint_eq((ids)[0], (ids)[2]);                                 \
        ck_assert_uint_eq((ids)[1], (ids)[2]);                                 \
    } while (0)

/* Off x86-64 everything goes through libunwind: the comparisons still
 * hold, the counts of the other methods stay 0. */
#if defined(__x86_64__)
#define WALKS 1
#else
#define WALKS 0
#endif
/* At the bottom: traces_capture(), or with all_ids set, capture_all()
 * into it (and its id). */
static __thread uint32_t *all_ids;

static __attribute__((noinline)) uint32_t
bottom(void)
{
    uint32_t id;
    if (all_ids) {
        capture_all(all_ids);
        id = all_ids[2];
    } else {
        id = traces_capture();
    }
    /* No tail call: this frame is one of the stack. */
    __asm__ volatile("" : : "r"(id) : "memory");
    return id;
}

static uint32_t walk0(unsigned code, int depth);
static uint32_t walk1(unsigned code, int depth);
static uint32_t walk2(unsigned code, int depth);
static uint32_t walk3(unsigned code, int depth);

#define WALK(k)                                                                \
    static __attribute__((noinline)) uint32_t walk##k(unsigned code,           \
                                                      int depth)               \
    {                                                                          \
        visits[k]++;                                                           \
        uint32_t id;                                                           \
        if (depth == 0)                                                        \
            id = bottom();                                                     \
        else if ((code & 3) == 0)                                              \
            id = walk0(code >> 2, depth - 1);                                  \
        else if ((code & 3) == 1)                                              \
            id = walk1(code >> 2, depth - 1);                                  \
        else if ((code & 3) == 2)                                              \
            id = walk2(code >> 2, depth - 1);                                  \
        else                                                                   \
            id = walk3(code >> 2, depth - 1);                                  \
        __asm__ volatile("" : : "r"(id) : "memory");                           \
        return id;                                                             \
    }
WALK(0)
WALK(1)
WALK(2)
WALK(3)

/* 8 levels: 4^8 = 65536 stacks. */
#define LEVELS 8
#define STACKS (1u << (2 * LEVELS))

/*
 * The stack of CODE: bottom(), the LEVELS + 1 frames of the walk and the
 * return into this function, and no more (main() sets --frames so), so
 * that a stack depends on CODE alone, not on the call site of this
 * function, which an optimiser may copy.  Through capture_all(), the
 * return into this function is the frame left out, and the last frame
 * kept, in walk0, is the one CODE & 3 picks.
 */
#define STACK_FRAMES "11"

static __attribute__((noinline)) uint32_t
stack_of(unsigned code)
{
    uint32_t id = walk0(code, LEVELS);
    __asm__ volatile("" : : "r"(id) : "memory");
    return id;
}

/* A loop bound the compiler cannot see, so that it cannot unroll a loop
 * into two call sites (two stacks). */
static volatile int twice = 2;

START_TEST(test_traces_same_stack_same_id)
{
    uint32_t ids[2];
    for (int i = 0; i < twice; i++) /* one call site: one stack */
        ids[i] = stack_of(12345);
    ck_assert_uint_ge(ids[0], TRACES_FIRST_ID);
    ck_assert_uint_eq(ids[0], ids[1]);
}
END_TEST

/* 0b0110 and 0b1001 walk through the same functions, in another order. */
START_TEST(test_traces_order_counts)
{
    uint32_t ids[2];
    for (int i = 0; i < twice; i++)
        ids[i] = stack_of(i == 0 ? 1 | 2 << 2 : 2 | 1 << 2);
    ck_assert_uint_ge(ids[0], TRACES_FIRST_ID);
    ck_assert_uint_ge(ids[1], TRACES_FIRST_ID);
    ck_assert_uint_ne(ids[0], ids[1]);
    uintptr_t fa[TRACES_MAX_FRAMES], fb[TRACES_MAX_FRAMES];
    size_t na = traces_get(ids[0], fa, TRACES_MAX_FRAMES);
    size_t nb = traces_get(ids[1], fb, TRACES_MAX_FRAMES);
    ck_assert_uint_eq(na, nb);
    ck_assert_int_ne(memcmp(fa, fb, na * sizeof *fa), 0);
}
END_TEST

/* Every stack of the recursion is distinct, and each reads back as
 * captured again (the table grew from 4096 slots on the way).  One call
 * site for both rounds, so that the frames above it are the same. */
static void
check_all_distinct(unsigned first, unsigned step)
{
    static uint32_t ids[STACKS];
    for (int round = 0; round < 2; round++)
        for (unsigned code = first; code < STACKS; code += step) {
            uint32_t id = stack_of(code);
            ck_assert_uint_ge(id, TRACES_FIRST_ID);
            if (round == 0)
                ids[code] = id;
            else
                ck_assert_uint_eq(id, ids[code]);
        }
    /* Ids are store offsets: equal ids would mean equal stacks. */
    for (unsigned code = first + step; code < STACKS; code += step)
        ck_assert_uint_ne(ids[code], ids[code - step]);
}

START_TEST(test_traces_many_distinct_stacks)
{
    check_all_distinct(0, 1);
}
END_TEST

static void *
add_every_fourth(void *arg)
{
    check_all_distinct((unsigned)(uintptr_t)arg, 4);
    return NULL;
}

START_TEST(test_traces_threads_while_growing)
{
    pthread_t threads[4];
    for (uintptr_t i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, add_every_fourth,
                                        (void *)i), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
}
END_TEST

/* The stack at the bottom of the walk of CODE, by every method. */
static void
all_of(unsigned code, uint32_t ids[3])
{
    all_ids = ids;
    stack_of(code);
    all_ids = NULL;
}

/* Many paths, each twice: every method gives libunwind's id, the same
 * both times, and the memos and the walk did serve. */
static void
check_methods_agree(unsigned first, unsigned step)
{
    struct traces_counts before, after;
    traces_get_counts(&before);
    for (unsigned code = first; code < 4096; code += step) {
        uint32_t ids[2][3];
        for (int round = 0; round < twice; round++) {
            all_of(code, ids[round]);
            ck_assert_same_ids(ids[round]);
        }
        ck_assert_uint_eq(ids[0][2], ids[1][2]);
    }
    traces_get_counts(&after);
    ck_assert_int_eq(traces_walk_trusted(), WALKS);
    if (WALKS) {
        ck_assert_uint_gt(after.memo, before.memo);
        ck_assert_uint_gt(after.walked, before.walked);
    }
}

START_TEST(test_traces_methods_agree)
{
    check_methods_agree(0, 1);
}
END_TEST

/*
 * Stacks at the same stack pointer with the same frames but the two
 * outermost kept (which function walk0 called, and from where): a memo
 * of one must not answer for another.
 */
START_TEST(test_traces_differ_deep_down)
{
    uint32_t ids[4][3];
    uintptr_t at[4];
    for (int round = 0; round < 4; round++)
        for (unsigned code = 0; code < 4; code++) {
            uint32_t now[3];
            all_of(code | 0x1b << 2, now); /* the same path above */
            ck_assert_same_ids(now);
            if (round == 0) {
                memcpy(ids[code], now, sizeof now);
                at[code] = here;
            }
            ck_assert_uint_eq(now[2], ids[code][2]);
            ck_assert_uint_eq(here, at[code]);
        }
    for (unsigned code = 1; code < 4; code++) {
        ck_assert_uint_eq(at[code], at[0]); /* the case this test is for */
        ck_assert_uint_ne(ids[code][2], ids[0][2]);
        uintptr_t fa[TRACES_MAX_FRAMES], fb[TRACES_MAX_FRAMES];
        size_t na = traces_get(ids[0][2], fa, TRACES_MAX_FRAMES);
        size_t nb = traces_get(ids[code][2], fb, TRACES_MAX_FRAMES);
        ck_assert_uint_eq(na, nb);
        /* The two outermost kept differ: the call in walk0, and the
         * function it called. */
        ck_assert_int_eq(memcmp(fa, fb, (na - 2) * sizeof *fa), 0);
    }
}
END_TEST

/* Out of a deep stack by longjmp, then into another one (two functions
 * alike, so at the same stack pointers), its frames over the old ones. */
static jmp_buf jump;
static uint32_t jump_ids[3];
static volatile unsigned dives[2];

#define DIVE(k)                                                                \
    static __attribute__((noinline)) void dive##k(int depth)                   \
    {                                                                          \
        dives[k]++;                                                            \
        if (depth < 0)                                                         \
            return;                                                            \
        if (depth == 0) {                                                      \
            capture_all(jump_ids);                                             \
            longjmp(jump, 1);                                                  \
        }                                                                      \
        dive##k(depth - 1);                                                    \
        __asm__ volatile("" : : : "memory");                                   \
    }
DIVE(0)
DIVE(1)

START_TEST(test_traces_after_longjmp)
{
    static uint32_t first[2];
    for (volatile int round = 0; round < 4; round++)
        for (volatile int k = 0; k < 2; k++) {
            if (!setjmp(jump)) {
                if (k)
                    dive1(6);
                else
                    dive0(6);
            }
            ck_assert_same_ids(jump_ids);
            if (round == 0)
                first[k] = jump_ids[2];
            ck_assert_uint_eq(jump_ids[2], first[k]);
        }
    ck_assert_uint_ne(first[0], first[1]);
}
END_TEST

/* In a signal handler, on the program's stack and on an alternate one:
 * the walk stops at the signal frame and leaves the stack to libunwind. */
static uint32_t signal_ids[3];

static void
on_signal(int sig)
{
    (void)sig;
    capture_all(signal_ids);
}

static __attribute__((noinline)) void
raise_here(void)
{
    raise(SIGUSR1);
    __asm__ volatile("" : : : "memory");
}

static __attribute__((noinline)) void
raise_there(void)
{
    raise(SIGUSR1);
    __asm__ volatile("" : : : "memory");
}

START_TEST(test_traces_in_signal_handlers)
{
    static char alternate[1 << 16];
    stack_t ss = {.ss_sp = alternate, .ss_size = sizeof alternate};
    ck_assert_int_eq(sigaltstack(&ss, NULL), 0);
    for (int on_stack = 0; on_stack < 2; on_stack++) {
        struct sigaction sa = {.sa_handler = on_signal};
        sa.sa_flags = on_stack ? SA_ONSTACK : 0;
        ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
        uint32_t ids[2][2];
        for (int round = 0; round < twice; round++) { /* one call site */
            raise_here();
            ck_assert_same_ids(signal_ids);
            ids[round][0] = signal_ids[2];
            raise_there();
            ck_assert_same_ids(signal_ids);
            ids[round][1] = signal_ids[2];
        }
        ck_assert_uint_eq(ids[0][0], ids[1][0]);
        ck_assert_uint_eq(ids[0][1], ids[1][1]);
        ck_assert_uint_ne(ids[0][0], ids[0][1]);
    }
    signal(SIGUSR1, SIG_DFL);
}
END_TEST

/* A fault's stack, taken in its handler from the signal's context. */
static sigjmp_buf after_fault;
static uint32_t fault_id;
static volatile uintptr_t fault_pc, poke_return;

static void
on_fault(int sig, siginfo_t *info, void *context)
{
    (void)sig, (void)info;
    fault_id = traces_capture_context(context);
#if defined(__x86_64__)
    fault_pc = (uintptr_t)((ucontext_t *)context)->uc_mcontext.gregs[REG_RIP];
#endif
    siglongjmp(after_fault, 1);
}

static __attribute__((noinline)) void
poke(volatile char *page)
{
    poke_return = (uintptr_t)__builtin_return_address(0);
    page[0] = 1;
}

START_TEST(test_traces_from_a_fault)
{
    char *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
                      -1, 0);
    ck_assert_ptr_ne(page, MAP_FAILED);
    struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO};
    ck_assert_int_eq(sigaction(SIGSEGV, &sa, NULL), 0);
    uint32_t ids[2];
    for (volatile int round = 0; round < twice; round++) { /* one site */
        if (sigsetjmp(after_fault, 1) == 0)
            poke(page);
        ids[round] = fault_id;
    }
    signal(SIGSEGV, SIG_DFL);
    ck_assert_uint_ge(ids[0], TRACES_FIRST_ID);
    ck_assert_uint_eq(ids[0], ids[1]);
    ck_assert(traces_from_fault(ids[0]));
    ck_assert(!traces_from_fault(stack_of(777)));
    /* The faulting instruction, then the return address into the test. */
    uintptr_t frames[4];
    ck_assert_uint_ge(traces_get(ids[0], frames, 4), 2);
#if defined(__x86_64__)
    ck_assert_uint_eq(frames[0], fault_pc);
#endif
    ck_assert_uint_eq(frames[1], poke_return);
    /* Frame #0 alone is marked for the symbolizer. */
    int pipe_fds[2];
    ck_assert_int_eq(pipe(pipe_fds), 0);
    struct writer w;
    writer_open_text(&w, pipe_fds[1]);
    traces_put(&w, "fault", "Bad write at", ids[0]);
    writer_flush(&w);
    close(pipe_fds[1]);
    static char text[65536];
    ssize_t got = read(pipe_fds[0], text, sizeof text - 1);
    close(pipe_fds[0]);
    ck_assert_int_gt(got, 0);
    text[got] = '\0';
    char *first = strchr(text, '\n') + 1;
    char *second = strchr(first, '\n') + 1;
    ck_assert(strncmp(second - 1 - strlen(FRAMES_FAULT_MARK),
                      FRAMES_FAULT_MARK, strlen(FRAMES_FAULT_MARK)) == 0);
    ck_assert_ptr_null(strstr(second, FRAMES_FAULT_MARK));
    munmap(page, 4096);
}
END_TEST

/*
 * A frame with alloca has its CFA in RBP.  Called with blocks of all
 * sizes from two callers of different frame sizes, it is often at the
 * same stack pointer with another RBP: the saved RBP decides, and the
 * memo must look at it.
 */
/* A frame that saves RBP and uses it for data: the walk finds the RBP
 * of with_alloca() saved here (else, with lean, in the register). */
static volatile bool lean;

static volatile uintptr_t seeds[6];

static __attribute__((noinline)) void
saving_rbp(uint32_t ids[3])
{
    /* Six values live across the call take the six callee-saved
     * registers, RBP among them (or it is the frame pointer). */
    uintptr_t a = seeds[0], b = seeds[1], c = seeds[2], d = seeds[3],
              e = seeds[4], f = seeds[5];
    capture_all(ids);
    __asm__ volatile("" : : "r"(a), "r"(b), "r"(c), "r"(d), "r"(e), "r"(f));
}

static __attribute__((noinline)) void
with_alloca(size_t n, uint32_t ids[3])
{
    char *block = alloca(n);
    block[0] = 0;
    __asm__ volatile("" : : "r"(block) : "memory");
    if (lean) {
        lean_ids = ids;
        here = (uintptr_t)block;
        capture_all_lean();
    } else {
        saving_rbp(ids);
    }
    __asm__ volatile("" : : "r"(block) : "memory");
}

static __attribute__((noinline)) void
small_caller(size_t n, uint32_t ids[3])
{
    with_alloca(n, ids);
    __asm__ volatile("" : : : "memory");
}

static __attribute__((noinline)) void
big_caller(size_t n, uint32_t ids[3])
{
    volatile char pad[256];
    pad[0] = 0;
    with_alloca(n, ids);
    __asm__ volatile("" : : "r"(pad) : "memory");
}

static void
check_alloca_frames(void)
{
    /* One call site for both callers: above them, the stacks are alike.
     * Nothing runs between the two calls (the checks come after: each
     * would run over the stack), so that the second finds on the stack
     * what the first left there. */
    static void (*const callers[2])(size_t, uint32_t[3]) = {big_caller,
                                                            small_caller};
    enum { BIGS = 32, SMALLS = 64 };
    static uint32_t ids[BIGS][SMALLS][2][3];
    static uintptr_t at[BIGS][SMALLS][2];
    for (size_t big = 0; big < BIGS; big++)
        for (size_t small = 0; small < SMALLS; small++)
            for (volatile int k = 0; k < 2; k++) { /* not split in two */
                callers[k](16 * (1 + (k ? small : big)), ids[big][small][k]);
                at[big][small][k] = here;
            }
    unsigned same_sp = 0;
    for (size_t big = 0; big < BIGS; big++)
        for (size_t small = 0; small < SMALLS; small++)
            for (int k = 0; k < 2; k++) {
                ck_assert_same_ids(ids[big][small][k]);
                ck_assert_uint_eq(ids[big][small][k][2], ids[0][0][k][2]);
                same_sp += k && at[big][small][0] == at[big][small][1];
            }
    ck_assert_uint_ne(ids[0][0][0][2], ids[0][0][1][2]);
    ck_assert_uint_gt(same_sp, 0); /* the case this test is for */
}

START_TEST(test_traces_alloca_frames)
{
    check_alloca_frames();
    lean = true;
    check_alloca_frames();
    lean = false;
}
END_TEST

static void *
agree_every_fourth(void *arg)
{
    check_methods_agree((unsigned)(uintptr_t)arg, 4);
    return NULL;
}

START_TEST(test_traces_threads_agree)
{
    pthread_t threads[4];
    for (uintptr_t i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&threads[i], NULL, agree_every_fourth,
                                        (void *)i), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_join(threads[i], NULL), 0);
}
END_TEST

/* Out of address space: new stacks are not kept, and the report says
 * why, not that deadbyte was busy. */
START_TEST(test_traces_out_of_memory_says_so)
{
    stack_of(0); /* the first table and chunk, while there is room */
    struct rlimit limit = {address_space(), RLIM_INFINITY};
    ck_assert_int_eq(setrlimit(RLIMIT_AS, &limit), 0);
    uint32_t id = 0;
    for (unsigned code = 1; code < STACKS; code++)
        if ((id = stack_of(code)) < TRACES_FIRST_ID)
            break;
    ck_assert_uint_eq(id, TRACES_NO_MEMORY);
    struct writer w;
    writer_open_text(&w, -1);
    traces_put(&w, "alloc", "Memory block allocated at", id);
    struct fmt *out = &w.out;
    out->buf[out->len < sizeof out->buf ? out->len : sizeof out->buf - 1] = '\0';
    ck_assert_str_eq(out->buf,
                     "Memory block allocated at (most recent call first):\n"
                     "  (not recorded: deadbyte ran out of memory for its "
                     "store of stacks)\n\n");
}
END_TEST

int
main(void)
{
    options_init();
    if (options_set("frames", STACK_FRAMES, NULL) != 0)
        return EXIT_FAILURE;
    Suite *suite = suite_create("traces");
    TCase *tc = tcase_create("intern");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_traces_same_stack_same_id);
    tcase_add_test(tc, test_traces_order_counts);
    tcase_add_test(tc, test_traces_many_distinct_stacks);
    tcase_add_test(tc, test_traces_threads_while_growing);
    tcase_add_test(tc, test_traces_out_of_memory_says_so);
    tcase_add_test(tc, test_traces_methods_agree);
    tcase_add_test(tc, test_traces_differ_deep_down);
    tcase_add_test(tc, test_traces_after_longjmp);
    tcase_add_test(tc, test_traces_in_signal_handlers);
    tcase_add_test(tc, test_traces_from_a_fault);
    tcase_add_test(tc, test_traces_alloca_frames);
    tcase_add_test(tc, test_traces_threads_agree);
    suite_add_tcase(suite, tc);
    return run_suite(suite);
}
