/* SPDX-License-Identifier: MIT */
/*
 * guard_signal.c -- SIGSEGV and SIGBUS on deadbyte's protected pages
 * become reports; every other one goes to the program unchanged.
 *
 * deadbyte's handler is installed for both signals when the preload
 * library starts and stays installed.  What the program installs
 * instead (through the functions of preload_signal.c) is kept here, per
 * signal, as the C library would have given it to the kernel and as the
 * kernel would give it back; the program gets it back as the old
 * disposition, so it cannot tell.
 *
 * The handler looks the fault address up (block_guarding).  A block's:
 * report_bad_access(), with the traceback of the faulting instruction
 * (from the signal's context) and, on x86, read or write from the page
 * fault's error code.  Under --keep-going, once the report returns (or
 * at once, for a block reported before), the block's pages and the page
 * of the fault are made readable and writable, and the instruction runs
 * again: the block is leaked, its pages never given back.  Anything else
 * is passed on as the kernel would have delivered it:
 *
 * - to the program's handler, called as it asked (with siginfo and
 *   context, or the signal number alone), under the mask the kernel
 *   would have set (the interrupted mask, its sa_mask, the signal itself
 *   unless SA_NODEFER), its disposition reset to SIG_DFL first if it
 *   asked for SA_RESETHAND; our handler mirrors its SA_ONSTACK and
 *   SA_RESTART, so that it runs on the stack the program chose;
 * - for SIG_DFL, or SIG_IGN (which the kernel overrides for a fault),
 *   the default disposition is restored and the handler returns: the
 *   instruction runs again, faults again, and the process dies of the
 *   signal (core dump, wait status) as it would have without deadbyte.
 *   A SIGSEGV sent by kill() is sent again, with its siginfo, instead
 *   (ignored if the program ignores it).
 *
 * Everything here is async-signal-safe, takes no lock the program may
 * hold, and calls no malloc.  The kept dispositions are read without a
 * lock (versions under sequence counts, as in a seqlock); the rare
 * writers take a lock of their own with every signal blocked, so that no
 * handler can interrupt its holder, and a holder that is gone (a thread
 * that did not come along through fork) is taken over.
 */
#include "config.h"

#include "guard_signal.h"

#include "heap.h"
#include "keep_going.h"
#include "lifecycle.h"
#include "options.h"
#include "registry.h"
#include "report_access.h"
#include "thread_id.h"
#include "traces.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

/* The bytes of a signal set that the C library and the kernel exchange:
 * 64 signals on x86-64; the rest of a sigset_t is never read. */
#define KERNEL_SIGSET_BYTES ((NSIG - 1) / 8)

typedef int sigaction_fn(int, const struct sigaction *, struct sigaction *);
static sigaction_fn *_Atomic real_sigaction;

/* The C library's sigaction: found when the handler is installed, in the
 * preload library's constructor (dlsym may allocate: not in a vfork
 * child, and not in a handler). */
static sigaction_fn *
real(void)
{
    sigaction_fn *fn =
        atomic_load_explicit(&real_sigaction, memory_order_acquire);
    if (!fn) {
        fn = (sigaction_fn *)dlsym(RTLD_NEXT, "sigaction");
        atomic_store_explicit(&real_sigaction, fn, memory_order_release);
    }
    return fn;
}

int
guard_signal_real_action(int sig, const struct sigaction *act,
                         struct sigaction *oldact)
{
    sigaction_fn *fn = real();
    if (!fn) {
        errno = ENOSYS;
        return -1;
    }
    return fn(sig, act, oldact);
}

/* ---- The program's dispositions ------------------------------------- */

#define VERSIONS 4
#define WORDS \
    ((sizeof(struct sigaction) + sizeof(unsigned long) - 1) / \
     sizeof(unsigned long))

/* A disposition, as words that may be read while being written: the
 * sequence count, odd during a write, says whether a copy held. */
struct version {
    atomic_uint seq;
    _Atomic unsigned long words[WORDS];
};

struct kept {
    struct version versions[VERSIONS];
    atomic_uint current; /* the version in force */
};

/* [0] SIGSEGV, [1] SIGBUS */
static struct kept kept[2];

static int
index_of(int sig)
{
    return sig == SIGSEGV ? 0 : sig == SIGBUS ? 1 : -1;
}

static void
read_kept(int k, struct sigaction *out)
{
    unsigned long words[WORDS];
    for (;;) {
        unsigned at = atomic_load_explicit(&kept[k].current,
                                           memory_order_acquire);
        struct version *v = &kept[k].versions[at];
        unsigned seq = atomic_load_explicit(&v->seq, memory_order_acquire);
        if (seq & 1)
            continue; /* lapped by writers: read the new current */
        for (size_t i = 0; i < WORDS; i++)
            words[i] = atomic_load_explicit(&v->words[i],
                                            memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&v->seq, memory_order_relaxed) == seq)
            break;
    }
    memcpy(out, words, sizeof *out);
}

/* Under the writers' lock. */
static void
write_kept(int k, const struct sigaction *act)
{
    unsigned long words[WORDS] = {0};
    memcpy(words, act, sizeof *act);
    unsigned at = (atomic_load_explicit(&kept[k].current,
                                        memory_order_relaxed) + 1) % VERSIONS;
    struct version *v = &kept[k].versions[at];
    /* Odd while written; odd already if a writer died here (a thread
     * that did not come along through fork), which no reader waits
     * for: it was never the current one. */
    unsigned seq = atomic_load_explicit(&v->seq, memory_order_relaxed) | 1;
    atomic_store_explicit(&v->seq, seq, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    for (size_t i = 0; i < WORDS; i++)
        atomic_store_explicit(&v->words[i], words[i], memory_order_relaxed);
    atomic_store_explicit(&v->seq, seq + 1, memory_order_release);
    atomic_store_explicit(&kept[k].current, at, memory_order_release);
}

/* The writers' lock: the kernel id of its holder, 0 when free. */
static _Atomic pid_t writer;


/* Block every signal (into *SAVED) and take the writers' lock. */
static void
writing_begin(sigset_t *saved)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, saved);
    pid_t me = this_thread();
    for (unsigned spins = 0;; spins++) {
        pid_t owner = 0;
        if (atomic_compare_exchange_strong(&writer, &owner, me))
            return;
        if (spins % 64 == 63 && thread_gone(owner) &&
            atomic_compare_exchange_strong(&writer, &owner, me))
            return;
        sched_yield();
    }
}

static void
writing_end(const sigset_t *saved)
{
    atomic_store(&writer, 0);
    pthread_sigmask(SIG_SETMASK, saved, NULL);
}

/* ---- The handler ------------------------------------------------------ */

static void on_fault(int sig, siginfo_t *info, void *context);

/*
 * Install deadbyte's handler for SIG, for the program's disposition
 * PROGRAM: every signal blocked while it decides (it sets the program's
 * mask itself before calling the program's handler), the program's
 * SA_ONSTACK, SA_RESTART and other flags, and SA_SIGINFO.  *SEEN is
 * what the kernel then reports: its flags, normalised by the C library
 * and the kernel, are those the program would see (SA_RESTORER added,
 * unknown bits dropped), but for the bits deadbyte sets its own way.
 */
static void
install_ours(int sig, const struct sigaction *program, struct sigaction *seen)
{
    struct sigaction ours;
    memset(&ours, 0, sizeof ours);
    ours.sa_sigaction = on_fault;
    sigfillset(&ours.sa_mask);
    ours.sa_flags = SA_SIGINFO | (program->sa_flags &
                                  ~(SA_SIGINFO | SA_RESETHAND | SA_NODEFER));
    real()(sig, &ours, NULL);
    real()(sig, NULL, seen);
}

/* The disposition PROGRAM as the program will see it again, after
 * install_ours() gave SEEN. */
static void
as_seen(const struct sigaction *program, const struct sigaction *seen,
        struct sigaction *out)
{
    memset(out, 0, sizeof *out);
    out->sa_handler = program->sa_handler;
    memcpy(&out->sa_mask, &program->sa_mask, KERNEL_SIGSET_BYTES);
    sigdelset(&out->sa_mask, SIGKILL); /* as the kernel does */
    sigdelset(&out->sa_mask, SIGSTOP);
    const int ours = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
    out->sa_flags = (seen->sa_flags & ~ours) | (program->sa_flags & ours);
    out->sa_restorer = seen->sa_restorer;
}

/* The C library's answer: handler, flags, restorer, and the kernel's
 * part of the mask (the rest of the caller's is left as it was). */
static void
copy_out(const struct sigaction *from, struct sigaction *to)
{
    to->sa_handler = from->sa_handler;
    memcpy(&to->sa_mask, &from->sa_mask, KERNEL_SIGSET_BYTES);
    to->sa_flags = from->sa_flags;
    to->sa_restorer = from->sa_restorer;
}

/* Read or write, from the page fault's error code. */
static enum access_kind
kind_of(const ucontext_t *uc)
{
#if defined(__x86_64__) || defined(__i386__)
    /* Bit 1: a write; bit 4: an instruction fetch (a jump into the
     * page), neither a read nor a write of data. */
    unsigned long error = (unsigned long)uc->uc_mcontext.gregs[REG_ERR];
    if (error & 0x10)
        return ACCESS_UNKNOWN;
    return error & 0x2 ? ACCESS_WRITE : ACCESS_READ;
#else
    (void)uc;
    return ACCESS_UNKNOWN;
#endif
}

/* Whether the kernel raised INFO for an instruction that faulted (the
 * address is the fault's), not a process with kill() or sigqueue(). */
static bool
from_fault(const siginfo_t *info)
{
    return info->si_code > 0;
}

/*
 * A fault that is not deadbyte's: do what the kernel would have done
 * with the program's disposition.
 */
static void
pass_on(int sig, siginfo_t *info, ucontext_t *uc, int saved_errno)
{
    int k = index_of(sig);
    struct sigaction program;
    read_kept(k, &program);
    errno = saved_errno;
    if (program.sa_handler == SIG_IGN && !from_fault(info))
        return; /* ignored (a fault cannot be: the kernel kills) */
    if (program.sa_handler == SIG_DFL || program.sa_handler == SIG_IGN) {
        struct sigaction by_default;
        memset(&by_default, 0, sizeof by_default);
        by_default.sa_handler = SIG_DFL;
        real()(sig, &by_default, NULL);
        /* Pending until this handler returns and unblocks it. */
        if (!from_fault(info))
            syscall(SYS_rt_tgsigqueueinfo, getpid(), this_thread(), sig,
                    info);
        errno = saved_errno;
        return; /* a fault: the instruction faults again, by default */
    }
    sigset_t mask;
    sigemptyset(&mask);
    memcpy(&mask, &uc->uc_sigmask, KERNEL_SIGSET_BYTES);
    sigorset(&mask, &mask, &program.sa_mask);
    if (!(program.sa_flags & SA_NODEFER))
        sigaddset(&mask, sig);
    if (program.sa_flags & SA_RESETHAND) {
        struct sigaction reset = program;
        reset.sa_handler = SIG_DFL;
        sigset_t saved;
        writing_begin(&saved);
        write_kept(k, &reset);
        writing_end(&saved);
    }
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    errno = saved_errno;
    if (program.sa_flags & SA_SIGINFO)
        program.sa_sigaction(sig, info, uc);
    else
        program.sa_handler(sig);
}

/*
 * A report takes about 20 KiB of stack.  On the program's alternate
 * signal stack (it asked for SA_ONSTACK), often 8 KiB, it would overflow
 * it and die of a second SIGSEGV with no report: it is written on a
 * stack of its own instead, mapped for it, with its context at the
 * start of the mapping.
 */
#define REPORT_STACK ((size_t)256 * 1024)

/* The fault being reported, for the function run on that stack. */
struct fault {
    const siginfo_t *info;
    ucontext_t *uc;
    const struct block_record *record;
};
static __thread const struct fault *pending
    __attribute__((tls_model("initial-exec")));

static void
report_fault(const struct fault *fault)
{
    struct report_access access = {
        .func = NULL,
        .kind = kind_of(fault->uc),
        .start = (uintptr_t)fault->info->si_addr,
        .len = 0,
        .record = fault->record,
        .with_serial = options.serialno,
        .call_trace = traces_capture_context(fault->uc),
    };
    report_bad_access(&access);
}

static void
report_pending(void)
{
    report_fault(pending);
}

/* The report, which returns under --keep-going only.  Made on a stack of
 * its own, it comes back here through a context saved at the start of
 * that stack's mapping, after the one it runs in. */
static void
report(const struct fault *fault)
{
    stack_t now;
    if (sigaltstack(NULL, &now) == 0 && (now.ss_flags & SS_ONSTACK)) {
        void *m = mmap(NULL, REPORT_STACK, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m != MAP_FAILED) {
            ucontext_t *there = m, *back = there + 1;
            size_t context = (2 * sizeof *there + 63) & ~(size_t)63;
            volatile bool returned = false;
            if (getcontext(back) == 0) {
                if (returned) {
                    munmap(m, REPORT_STACK);
                    return;
                }
                returned = true;
                if (getcontext(there) == 0) {
                    there->uc_stack.ss_sp = (char *)m + context;
                    there->uc_stack.ss_size = REPORT_STACK - context;
                    there->uc_link = back;
                    pending = fault;
                    makecontext(there, report_pending, 0);
                    setcontext(there); /* returns only if it failed */
                }
            }
            munmap(m, REPORT_STACK);
        }
    }
    report_fault(fault);
}

/* The page this thread made accessible last (open_pages). */
static __thread uintptr_t last_opened
    __attribute__((tls_model("initial-exec")));

/*
 * --keep-going: make the pages the fault was on readable and writable --
 * a freed block's own, and the page of ADDR (a guard page) -- so that
 * the instruction runs again, and on.  False if they could not be, or
 * were already and the same page faulted again (a jump into it: not
 * executable), which then goes to the program as any other fault.
 */
static bool
open_pages(uintptr_t addr, const struct block_record *record)
{
    uintptr_t page = (uintptr_t)getpagesize();
    if ((addr & ~(page - 1)) == last_opened)
        return false;
    last_opened = addr & ~(page - 1);
    if (record->guard != BLOCK_GUARD_NONE)
        heap_pages_protect((void *)(record->p - record->offset), true);
    return mprotect((void *)(addr & ~(page - 1)), page,
                    PROT_READ | PROT_WRITE) == 0;
}

static void
on_fault(int sig, siginfo_t *info, void *context)
{
    int saved_errno = errno;
    ucontext_t *uc = context;
    struct block_record record;
    if (from_fault(info) && block_guarding((uintptr_t)info->si_addr, &record)) {
        struct fault fault = {info, uc, &record};
        if (keep_going_first(record.p))
            report(&fault);
        /* Under --keep-going only: the report returned, or was made
         * before. */
        if (open_pages((uintptr_t)info->si_addr, &record)) {
            errno = saved_errno;
            return;
        }
    }
    pass_on(sig, info, uc, saved_errno);
}

/* ---- Installing, and the program's calls ------------------------------ */

/* The process whose handlers these are: not a vfork child's. */
static pid_t owner;

static void
note_owner(void)
{
    owner = getpid();
    atomic_store(&writer, 0); /* only this thread came along */
}

enum { NOT_YET, INSTALLING, INSTALLED, FAILED };
static atomic_int state = NOT_YET;

void
guard_signal_install(void)
{
    int expected = NOT_YET;
    if (!atomic_compare_exchange_strong(&state, &expected, INSTALLING)) {
        while (atomic_load(&state) == INSTALLING)
            sched_yield(); /* another thread installs */
        return;
    }
    if (!real()) {
        atomic_store(&state, FAILED);
        return;
    }
    note_owner();
    lifecycle_at_fork_child(note_owner);
    static const int signals[] = {SIGSEGV, SIGBUS};
    sigset_t saved;
    writing_begin(&saved);
    for (size_t i = 0; i < sizeof signals / sizeof *signals; i++) {
        /* What the process has now (SIG_DFL, or SIG_IGN inherited
         * through exec) is the program's, as the kernel gives it. */
        struct sigaction initial, seen;
        memset(&initial, 0, sizeof initial);
        real()(signals[i], NULL, &initial);
        write_kept(index_of(signals[i]), &initial);
        install_ours(signals[i], &initial, &seen);
    }
    writing_end(&saved);
    atomic_store(&state, INSTALLED);
}

bool
guard_signal_keeps(int sig)
{
    if (index_of(sig) < 0)
        return false;
    if (atomic_load(&state) == NOT_YET)
        guard_signal_install();
    return atomic_load(&state) == INSTALLED;
}

int
guard_signal_action(int sig, const struct sigaction *act,
                    struct sigaction *oldact)
{
    int k = index_of(sig);
    struct sigaction before;
    if (getpid() != owner) {
        /* A vfork child: its handlers are its own, its memory its
         * parent's.  The program's wish goes to the kernel for the
         * child alone; what is kept here is the parent's, only read. */
        struct sigaction wanted;
        if (act)
            wanted = *act;
        read_kept(k, &before);
        if (act && real()(sig, &wanted, NULL) != 0)
            return -1;
    } else if (!act) {
        read_kept(k, &before);
    } else {
        /* Read the caller's memory before any lock is held: a bad
         * pointer faults here, as in the C library. */
        struct sigaction wanted = *act, seen, now;
        sigset_t saved;
        writing_begin(&saved);
        read_kept(k, &before);
        install_ours(sig, &wanted, &seen);
        as_seen(&wanted, &seen, &now);
        write_kept(k, &now);
        writing_end(&saved);
    }
    if (oldact)
        copy_out(&before, oldact);
    return 0;
}
