/* SPDX-License-Identifier: MIT */
/*
 * supervise.h -- run the program as the launcher's child and stay out of
 * its way until every process it started has ended: forward the signals
 * the launcher is sent, follow the program's job-control stops, collect
 * its orphans, and make sure the launcher's own clean-up runs whatever
 * signal arrives.
 */
#ifndef DEADBYTE_SUPERVISE_H
#define DEADBYTE_SUPERVISE_H

/*
 * Take over the launcher's signals: from here on no signal kills or
 * stops the launcher before supervise_release() (SIGKILL and SIGSTOP
 * aside), SIGPIPE is ignored (a write to a closed pipe fails with EPIPE
 * instead), and SIGCHLD is not ignored whatever the launcher inherited.
 * Call it before making anything that must be cleaned up.
 */
void supervise_hold_signals(void);

/*
 * Start PATH with ARGV (vfork, exec; signals as the launcher got them), and wait
 * until the program and every descendant that stays in its session have
 * ended; the launcher is their subreaper.  Signals sent to the launcher
 * meanwhile go to the program.  REPORT_DIR (may be NULL) is where
 * processes leave their reports.
 *
 * Returns the program's exit status, or 128 + N if signal N killed it.
 * When it exits with 0 but an orphan -- a descendant whose parent had
 * ended, so nobody else could see how it ended -- failed and left a
 * report, returns the orphan's status instead.  125 if it cannot fork;
 * 126 or 127 (and a message) if exec fails.
 */
int supervise_run(const char *path, char **argv, const char *report_dir);

/*
 * Give the launcher its signals back, as it inherited them.  A signal
 * that came while it was cleaning up, or that ended the wait for orphans,
 * is delivered now: call this when nothing is left to clean up.
 */
void supervise_release(void);

#endif
