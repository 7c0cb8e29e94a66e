/* SPDX-License-Identifier: MIT */
/*
 * preload_signal.c -- every function of the C library that installs a
 * signal's disposition, so that for SIGSEGV and SIGBUS deadbyte's
 * handler stays installed and the program's disposition is kept beside
 * it (guard_signal.c): sigaction and __sigaction; signal (bsd_signal,
 * ssignal), sysv_signal (__sysv_signal), sigset, sigignore and
 * siginterrupt, which in the C library call its internal sigaction and
 * so are written again here, with its semantics, over ours.  Other
 * signals go straight to the C library.
 *
 * Not seen: sigvec (a compatibility symbol no program can link any
 * more) and the rt_sigaction system call made directly (Go's runtime,
 * some JITs): such a program replaces deadbyte's handler, and a fault on
 * a guard page is then its own to handle.
 *
 * Async-signal-safe (sigaction and signal are, and programs call them in
 * handlers), no malloc, no stdio.
 */
#include "config.h"

#include "guard_signal.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#define SIGNAL_API __attribute__((visibility("default")))

/* Not declared by <signal.h> (bsd_signal only for older X/Open). */
int __sigaction(int sig, const struct sigaction *act,
                struct sigaction *oldact);
__sighandler_t bsd_signal(int sig, __sighandler_t handler);

typedef __sighandler_t handler_fn(int, __sighandler_t);

/* The C library's functions, for the other signals: found when the
 * library starts, as dlsym must not run in a handler or a vfork child. */
static handler_fn *real_signal, *real_sysv_signal, *real_sigset;
static int (*real_sigignore)(int);
static int (*real_siginterrupt)(int, int);

#define FIND(name) \
    (real_##name = (__typeof__(real_##name))dlsym(RTLD_NEXT, #name))

static void
find_real_functions(void)
{
    FIND(signal);
    FIND(sysv_signal);
    FIND(sigset);
    FIND(sigignore);
    FIND(siginterrupt);
}

__attribute__((constructor)) static void
preload_signal_start(void)
{
    find_real_functions();
}

/* Called before the constructor (by another library's): find them now;
 * ENOSYS if the C library has none. */
#define REAL(name)                                                             \
    (real_##name || (find_real_functions(), real_##name)                       \
         ? real_##name                                                         \
         : (errno = ENOSYS, real_##name))

SIGNAL_API int
sigaction(int sig, const struct sigaction *act, struct sigaction *oldact)
{
    if (guard_signal_keeps(sig))
        return guard_signal_action(sig, act, oldact);
    return guard_signal_real_action(sig, act, oldact);
}

SIGNAL_API int
__sigaction(int sig, const struct sigaction *act, struct sigaction *oldact)
{
    return sigaction(sig, act, oldact);
}

/* signal()'s SA_RESTART, by signal: siginterrupt(sig, 1) drops it, as
 * the C library's _sigintr does.  Bit 0 SIGSEGV, bit 1 SIGBUS. */
static atomic_uint interrupting;

static unsigned
bit_of(int sig)
{
    return sig == SIGSEGV ? 1u : 2u;
}

/* The C library's signal(): BSD semantics, the signal blocked in its
 * handler, system calls restarted unless siginterrupt() said not. */
static __sighandler_t
bsd_style(int sig, __sighandler_t handler)
{
    if (handler == SIG_ERR) {
        errno = EINVAL;
        return SIG_ERR;
    }
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    sigemptyset(&act.sa_mask);
    sigaddset(&act.sa_mask, sig);
    act.sa_flags = atomic_load(&interrupting) & bit_of(sig) ? 0 : SA_RESTART;
    if (guard_signal_action(sig, &act, &old) < 0)
        return SIG_ERR;
    return old.sa_handler;
}

SIGNAL_API __sighandler_t
signal(int sig, __sighandler_t handler)
{
    if (guard_signal_keeps(sig))
        return bsd_style(sig, handler);
    return REAL(signal) ? real_signal(sig, handler) : SIG_ERR;
}

SIGNAL_API __sighandler_t
bsd_signal(int sig, __sighandler_t handler)
{
    return signal(sig, handler);
}

SIGNAL_API __sighandler_t
ssignal(int sig, __sighandler_t handler)
{
    return signal(sig, handler);
}

/* System V semantics: reset to SIG_DFL on delivery, not blocked in its
 * handler, system calls interrupted. */
SIGNAL_API __sighandler_t
sysv_signal(int sig, __sighandler_t handler)
{
    if (guard_signal_keeps(sig)) {
        if (handler == SIG_ERR) {
            errno = EINVAL;
            return SIG_ERR;
        }
        struct sigaction act, old;
        memset(&act, 0, sizeof act);
        act.sa_handler = handler;
        sigemptyset(&act.sa_mask);
        act.sa_flags = SA_RESETHAND | SA_NODEFER;
#ifdef SA_INTERRUPT
        act.sa_flags |= SA_INTERRUPT; /* a historical no-op, as glibc's */
#endif
        if (guard_signal_action(sig, &act, &old) < 0)
            return SIG_ERR;
        return old.sa_handler;
    }
    return REAL(sysv_signal) ? real_sysv_signal(sig, handler) : SIG_ERR;
}

SIGNAL_API __sighandler_t
__sysv_signal(int sig, __sighandler_t handler)
{
    return sysv_signal(sig, handler);
}

/* System V's sigset: SIG_HOLD blocks the signal; a disposition unblocks
 * it; SIG_HOLD is returned if it was blocked. */
SIGNAL_API __sighandler_t
sigset(int sig, __sighandler_t disp)
{
    if (!guard_signal_keeps(sig)) {
        return REAL(sigset) ? real_sigset(sig, disp) : SIG_ERR;
    }
    sigset_t set, old_set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    struct sigaction act, old;
    if (disp == SIG_HOLD) {
        if (sigprocmask(SIG_BLOCK, &set, &old_set) < 0)
            return SIG_ERR;
        if (sigismember(&old_set, sig))
            return SIG_HOLD;
        if (guard_signal_action(sig, NULL, &old) < 0)
            return SIG_ERR;
        return old.sa_handler;
    }
    memset(&act, 0, sizeof act);
    act.sa_handler = disp;
    sigemptyset(&act.sa_mask);
    if (guard_signal_action(sig, &act, &old) < 0)
        return SIG_ERR;
    if (sigprocmask(SIG_UNBLOCK, &set, &old_set) < 0)
        return SIG_ERR;
    return sigismember(&old_set, sig) ? SIG_HOLD : old.sa_handler;
}

SIGNAL_API int
sigignore(int sig)
{
    if (!guard_signal_keeps(sig)) {
        return REAL(sigignore) ? real_sigignore(sig) : -1;
    }
    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_handler = SIG_IGN;
    sigemptyset(&act.sa_mask);
    return guard_signal_action(sig, &act, NULL);
}

SIGNAL_API int
siginterrupt(int sig, int interrupt)
{
    if (!guard_signal_keeps(sig)) {
        return REAL(siginterrupt) ? real_siginterrupt(sig, interrupt) : -1;
    }
    struct sigaction act;
    if (guard_signal_action(sig, NULL, &act) < 0)
        return -1;
    if (interrupt) {
        atomic_fetch_or(&interrupting, bit_of(sig));
        act.sa_flags &= ~SA_RESTART;
    } else {
        atomic_fetch_and(&interrupting, ~bit_of(sig));
        act.sa_flags |= SA_RESTART;
    }
    return guard_signal_action(sig, &act, NULL);
}
