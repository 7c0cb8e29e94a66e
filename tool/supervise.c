/* SPDX-License-Identifier: MIT */
/*
 * supervise.c -- the launcher between the shell and the program.  It must
 * be invisible to both: the program gets the signals meant for it, the
 * shell sees the program's status and its job-control stops, and no
 * signal and no closed pipe ends the launcher before it has printed the
 * reports and removed its report directory.
 *
 * So every signal is blocked and taken with sigtimedwait() in one loop,
 * with SIGCHLD: no handler runs at an awkward moment, and a signal that
 * comes while the launcher is busy waits for it.
 */
#include "config.h"

#include "supervise.h"

#include "launch.h"
#include "printable.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the launcher inherited, for the program and for the end. */
static sigset_t inherited_mask;
static struct sigaction inherited_pipe, inherited_chld;
static bool held;

/* Every signal but SIGPIPE, which is ignored instead (a blocked signal
 * stays pending, and the launcher's own EPIPE is not the program's). */
static sigset_t waited;

void
supervise_hold_signals(void)
{
    if (held)
        return;
    sigfillset(&waited);
    sigdelset(&waited, SIGPIPE);
    sigprocmask(SIG_BLOCK, &waited, &inherited_mask);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, &inherited_pipe);
    /* An ignored SIGCHLD would reap the children before waitpid() could
     * see how they ended. */
    sa.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &sa, &inherited_chld);
    held = true;
}

void
supervise_release(void)
{
    if (!held)
        return;
    held = false;
    sigaction(SIGPIPE, &inherited_pipe, NULL);
    sigaction(SIGCHLD, &inherited_chld, NULL);
    sigprocmask(SIG_SETMASK, &inherited_mask, NULL);
}

static int
status_of(int wait_status)
{
    if (WIFSIGNALED(wait_status))
        return 128 + WTERMSIG(wait_status);
    return WEXITSTATUS(wait_status);
}

static bool
is_job_control_stop(int sig)
{
    return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Would SIG end the launcher, as it was started? */
static bool
ends_launcher(int sig)
{
    if (sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH ||
        is_job_control_stop(sig))
        return false;
    struct sigaction now;
    return sigaction(sig, NULL, &now) != 0 || now.sa_handler != SIG_IGN;
}

/*
 * Pass a signal the launcher got on to the program.  The terminal sends
 * its signals (^C, ^\, ^Z, hangup, window size) to the whole foreground
 * process group, so the program has its own copy unless it left the
 * launcher's group; and a signal from the program itself is meant for
 * its parent, not for it.
 */
static void
forward(pid_t child, int sig, const siginfo_t *info)
{
    if (info->si_code == SI_KERNEL && getpgid(child) == getpgrp())
        return;
    if (info->si_code <= 0 && info->si_pid == child)
        return;
    if (info->si_code == SI_QUEUE)
        sigqueue(child, sig, info->si_value);
    else
        kill(child, sig);
}

/*
 * The program stopped for job control (^Z, or the terminal from the
 * background): stop the launcher with the same signal, so that the shell
 * sees the job stop and gets the terminal back.  The SIGCONT that
 * continues the launcher stays pending and is passed on.
 */
static void
stop_like(int sig)
{
    struct sigaction dfl, old;
    memset(&dfl, 0, sizeof dfl);
    sigemptyset(&dfl.sa_mask);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, &old);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    raise(sig);
    sigprocmask(SIG_UNBLOCK, &one, NULL); /* stops here */
    sigprocmask(SIG_BLOCK, &one, NULL);
    sigaction(sig, &old, NULL);
}

/* Did process PID leave a report in DIR? */
static bool
left_report(const char *dir, pid_t pid)
{
    if (!dir)
        return false;
    char path[PATH_MAX];
    struct stat st;
    int n = snprintf(path, sizeof path, "%s/%ld.report", dir, (long)pid);
    return n > 0 && (size_t)n < sizeof path && lstat(path, &st) == 0 &&
           S_ISREG(st.st_mode);
}

/*
 * Has the launcher a child left in its own session?  A daemon leaves it
 * (setsid()) precisely to outlive whoever started it: waiting for one
 * would keep the launcher for as long as the daemon runs.
 */
static bool
attached_children(void)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/children", (long)getpid());
    FILE *f = fopen(path, "r");
    if (!f)
        return true; /* cannot tell: wait for every one */
    pid_t session = getsid(0);
    long pid;
    bool found = false;
    while (!found && fscanf(f, "%ld", &pid) == 1)
        found = getsid((pid_t)pid) == session;
    fclose(f);
    return found;
}

/* Did the program send SIG itself (to its parent, or to its process
 * group)?  Not the launcher's to forward, nor to end of. */
static bool
from_program(pid_t child, const siginfo_t *info)
{
    return info->si_code <= 0 && info->si_pid == child;
}

/*
 * Once every process has ended: signals may be pending that the wait did
 * not take, having come just before the last one ended.  The program's
 * own go; any other is raised again, to end the launcher (or stop it) as
 * it would have, once it has cleaned up (supervise_release()).
 */
static void
drop_programs_signals(pid_t child)
{
    static const struct timespec now = {0, 0};
    sigset_t again;
    sigemptyset(&again);
    siginfo_t info;
    int sig;
    while ((sig = sigtimedwait(&waited, &info, &now)) > 0)
        if (!from_program(child, &info))
            sigaddset(&again, sig);
    for (sig = 1; sig < NSIG; sig++)
        if (sigismember(&again, sig) == 1)
            raise(sig);
}

/* How often the launcher looks again whether its orphans left the
 * session: setsid() tells nobody. */
static const struct timespec recheck = {0, 100 * 1000 * 1000};

int
supervise_run(const char *path, char **argv, const char *report_dir)
{
    supervise_hold_signals();
#ifdef PR_SET_CHILD_SUBREAPER
    /* Orphans come to the launcher, not to init: their reports are
     * collected, and how they end is known. */
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif
    fflush(NULL);
    /*
     * vfork: the child only sets its signals back and execs, so copying
     * the launcher's memory for it (and the copy-on-write faults after)
     * was all cost.  It runs on the launcher's memory, which it leaves
     * alone but for EXEC_ERRNO, and the launcher waits meanwhile; its
     * signal dispositions and mask are its own.  Every signal is blocked
     * until the exec, and the launcher's handlers are the defaults.
     */
    static volatile int exec_errno;
    exec_errno = 0;
    pid_t child = vfork();
    if (child < 0) {
        fprintf(stderr, "deadbyte: %s: %s\n", printable(path), strerror(errno));
        return EXIT_DEADBYTE_ERROR;
    }
    if (child == 0) {
        sigaction(SIGPIPE, &inherited_pipe, NULL);
        sigaction(SIGCHLD, &inherited_chld, NULL);
        sigprocmask(SIG_SETMASK, &inherited_mask, NULL);
        execv(path, argv);
        exec_errno = errno;
        _exit(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE);
    }
    if (exec_errno) /* the child has ended: say why, for it */
        fprintf(stderr, "deadbyte: %s: %s\n", printable(path),
                strerror(exec_errno));

    int status = EXIT_DEADBYTE_ERROR, orphan_status = 0;
    bool child_ended = false;
    for (;;) {
        int ws;
        pid_t pid = waitpid(-1, &ws, WNOHANG | WUNTRACED);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid < 0)
            break; /* ECHILD: every process has ended */
        if (pid > 0) {
            if (WIFSTOPPED(ws)) {
                if (pid == child && is_job_control_stop(WSTOPSIG(ws)))
                    stop_like(WSTOPSIG(ws));
            } else if (pid == child) {
                status = status_of(ws);
                child_ended = true;
            } else if (orphan_status == 0 && status_of(ws) != 0 &&
                       left_report(report_dir, pid)) {
                orphan_status = status_of(ws);
            }
            continue;
        }
        /* Children left, none ready. */
        if (child_ended && !attached_children())
            break;
        siginfo_t info;
        int sig = sigtimedwait(&waited, &info, child_ended ? &recheck : NULL);
        if (sig < 0 || sig == SIGCHLD)
            continue;
        if (!child_ended) {
            forward(child, sig, &info);
        } else if (from_program(child, &info)) {
            continue; /* sent before it ended, to its parent */
        } else if (is_job_control_stop(sig)) {
            stop_like(sig);
        } else if (ends_launcher(sig)) {
            /* Stop waiting for the orphans; the signal ends the launcher
             * once it has cleaned up (supervise_release()). */
            raise(sig);
            break;
        }
    }
    drop_programs_signals(child);
    if (status == 0 && orphan_status != 0)
        return orphan_status;
    return status;
}
