/* SPDX-License-Identifier: MIT */
/*
 * guard_signal.h -- a fault on a page deadbyte protected for a block (a
 * guard page, or a freed block's pages) becomes a report at the faulting
 * instruction; every other SIGSEGV and SIGBUS goes to the program as if
 * deadbyte were not there.
 *
 * deadbyte's handler stays installed for both signals; what the program
 * installs for them (sigaction, signal, sigset...: preload_signal.c) is
 * kept here, returned to it as the old disposition, and called, or
 * carried out (the default action, ignoring), when a fault is not
 * deadbyte's.
 */
#ifndef DEADBYTE_GUARD_SIGNAL_H
#define DEADBYTE_GUARD_SIGNAL_H

#include <signal.h>
#include <stdbool.h>

/*
 * Install deadbyte's handler for SIGSEGV and SIGBUS, keeping the
 * dispositions the process had as the program's.  Called by the preload
 * library's constructor, or by the first program call that needs it;
 * idempotent and thread-safe.
 */
void guard_signal_install(void);

/*
 * Whether deadbyte keeps the program's disposition of SIG: SIGSEGV or
 * SIGBUS, once its handler is installed.  Installs it first if it was
 * not yet.
 */
bool guard_signal_keeps(int sig);

/*
 * sigaction(2) for a signal that guard_signal_keeps(): set the
 * program's disposition to *ACT (if not NULL) and give the one before in
 * *OLDACT (if not NULL), as the C library would, while deadbyte's
 * handler stays installed.  Async-signal-safe, thread-safe.  In a vfork
 * child (which shares its parent's memory, not its handlers), *ACT is
 * installed as it is, for the child alone.
 */
int guard_signal_action(int sig, const struct sigaction *act,
                        struct sigaction *oldact);

/* The C library's sigaction (for the other signals), or -1 with ENOSYS
 * if there is none. */
int guard_signal_real_action(int sig, const struct sigaction *act,
                             struct sigaction *oldact);

#endif
