/* SPDX-License-Identifier: MIT */
/*
 * thread_id.h -- the kernel's id of the calling thread, and whether a
 * thread has ended: for the locks that a report (report.c) and the
 * signal handler's writers (guard_signal.c) take, which must not wait
 * for a holder that is gone.  Async-signal-safe, no malloc.
 */
#ifndef DEADBYTE_THREAD_ID_H
#define DEADBYTE_THREAD_ID_H

#include <errno.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static inline pid_t
this_thread(void)
{
    return (pid_t)syscall(SYS_gettid);
}

/* Has thread TID of this process ended (or is it no thread of this
 * process: its parent's, in a child forked while it held a lock)? */
static inline bool
thread_gone(pid_t tid)
{
    int saved_errno = errno;
    bool gone = syscall(SYS_tgkill, getpid(), tid, 0) != 0 && errno == ESRCH;
    errno = saved_errno;
    return gone;
}

#endif
