/* SPDX-License-Identifier: MIT */
/*
 * report_file.c -- open this process's report file safely (see
 * report_file.h).  A process may open it many times (statistics, a
 * --break-at note, the leak report, the fatal report) and across an exec,
 * which keeps the process ID: the first open makes it, O_EXCL; later ones
 * check that what they opened is that file.  The first report of all
 * makes the launcher's private directory, which it only names.  Runs
 * inside the allocator: system calls and buffers on the stack only.
 */
#include "config.h"

#include "report_file.h"

#include "fmt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The file this process made, once made: later opens must find it. */
static _Atomic pid_t made_by;
static dev_t made_dev;
static ino_t made_ino;

/* "deadbyte: not writing the report to PATH: WHY" on standard error. */
static void
refuse(const char *path, const char *why, int error)
{
    struct fmt out;
    fmt_open(&out, STDERR_FILENO);
    fmt_str(&out, "deadbyte: not writing the report to ");
    fmt_str(&out, path);
    fmt_str(&out, ": ");
    fmt_str(&out, why);
    if (error) {
        fmt_str(&out, " (errno ");
        fmt_dec(&out, (uintmax_t)error);
        fmt_char(&out, ')');
    }
    fmt_char(&out, '\n');
    fmt_flush(&out);
}

/* Why open(2) failed, in words (strerror may allocate, or lock). */
void
report_file_refuse(const char *path, int error)
{
    const char *why = error == ELOOP    ? "it is a symbolic link"
                      : error == ENXIO  ? "it is a FIFO or socket"
                      : error == EACCES ? "permission denied"
                      : error == EPERM  ? "permission denied"
                      : error == ENOENT ? "no such directory"
                      : error == ENOTDIR ? "no such directory"
                      : error == EROFS  ? "the file system is read-only"
                      : error == ENOSPC ? "no space left on the device"
                      : error == EMFILE ? "too many open files"
                      : error == ENFILE ? "too many open files"
                                        : NULL;
    refuse(path, why ? why : "cannot open it", why ? 0 : error);
}

bool
report_file_make_pending_dir(const char *dir)
{
    char marker[PATH_MAX];
    size_t len = strlen(dir);
    if (len + sizeof REPORT_DIR_PENDING > sizeof marker)
        return false;
    memcpy(marker, dir, len);
    memcpy(marker + len, REPORT_DIR_PENDING, sizeof REPORT_DIR_PENDING);
    int saved_errno = errno;
    struct stat st;
    bool made = lstat(marker, &st) == 0 && S_ISREG(st.st_mode) &&
                st.st_uid == geteuid() &&
                (mkdir(dir, 0700) == 0 || errno == EEXIST);
    errno = saved_errno; /* why the report file is not there, if not made */
    return made;
}

/* Is FD, just opened without O_CREAT, the report file of this process?
 * Else why not. */
static const char *
not_ours(int fd, pid_t pid)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return "cannot examine it";
    if (!S_ISREG(st.st_mode))
        return "it is not a regular file";
    if (st.st_uid != geteuid())
        return "it belongs to another user";
    if (st.st_nlink != 1)
        return "it has other names (hard links)";
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        return "other users have access to it";
    if (atomic_load(&made_by) == pid &&
        (st.st_dev != made_dev || st.st_ino != made_ino))
        return "it was replaced since this process made it";
    return NULL;
}

int
report_file_open(const char *dir)
{
    char path[PATH_MAX];
    char pid_text[24];
    pid_t pid = getpid();
    struct fmt number; /* a string buffer, never flushed */
    fmt_open(&number, -1);
    fmt_dec(&number, (uintmax_t)pid);
    size_t dir_len = strlen(dir);
    if (dir_len + 1 + number.len + sizeof ".report" > sizeof path) {
        /* The name itself would fill the terminal: say which variable. */
        struct fmt out;
        fmt_open(&out, STDERR_FILENO);
        fmt_str(&out, "deadbyte: not writing the report to "
                      "DEADBYTE_REPORT_DIR/");
        fmt_dec(&out, (uintmax_t)pid);
        fmt_str(&out, ".report: the directory name is too long (");
        fmt_dec(&out, dir_len);
        fmt_str(&out, " bytes; at most ");
        fmt_dec(&out, REPORT_DIR_MAX);
        fmt_str(&out, ")\n");
        fmt_flush(&out);
        return -1;
    }
    memcpy(pid_text, number.buf, number.len);
    pid_text[number.len] = '\0';
    memcpy(path, dir, dir_len);
    path[dir_len] = '/';
    strcpy(path + dir_len + 1, pid_text);
    strcat(path + dir_len + 1, ".report");

    /* O_NONBLOCK: opening a FIFO planted there must not hang; it changes
     * nothing for a regular file. */
    int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
    int fd = open(path, flags | O_CREAT | O_EXCL, 0600);
    if (fd < 0 && errno == ENOENT && report_file_make_pending_dir(dir))
        fd = open(path, flags | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
        struct stat st;
        if (fstat(fd, &st) == 0) {
            made_dev = st.st_dev;
            made_ino = st.st_ino;
            atomic_store(&made_by, pid);
        }
        return fd;
    }
    if (errno != EEXIST) {
        report_file_refuse(path, errno);
        return -1;
    }
    fd = open(path, flags);
    if (fd < 0) {
        report_file_refuse(path, errno);
        return -1;
    }
    const char *why = not_ours(fd, pid);
    if (why) {
        close(fd);
        refuse(path, why, 0);
        return -1;
    }
    return fd;
}
