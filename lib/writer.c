/* SPDX-License-Identifier: MIT */
/*
 * writer.c -- the one writer of reports (writer.h): each call is an item
 * or a field of a record, written as the text a person reads or, under
 * the launcher, as the record's encoding (record.h).
 */
#include "config.h"

#include "writer.h"

#include "api.h"
#include "block.h"
#include "options.h"
#include "report_file.h"
#include "safe_read.h"
#include "thread_id.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const kind_names[] = {
#define KIND_NAME(id, name, error, suppress, title, help) name,
    RECORD_KINDS(KIND_NAME)
#undef KIND_NAME
};

static const char *const field_tags[] = {
#define FIELD_TAG(id, tag, type, meaning) tag,
    RECORD_FIELDS(FIELD_TAG)
#undef FIELD_TAG
};

static const char *const item_tags[] = {
#define ITEM_TAG(id, tag, meaning) tag,
    RECORD_ITEMS(ITEM_TAG)
#undef ITEM_TAG
};

/* "TAG\t" of an item or a field, then values escaped until line_end(). */
static void
line_start(struct writer *w, const char *tag)
{
    fmt_str(&w->out, tag);
    fmt_char(&w->out, '\t');
    w->out.escape = true;
}

static void
line_end(struct writer *w)
{
    w->out.escape = false;
    fmt_char(&w->out, '\n');
}

static void
item(struct writer *w, enum record_item tag)
{
    fmt_str(&w->out, item_tags[tag]);
    fmt_char(&w->out, '\n');
}

/* The process's command line, as /proc/self/cmdline holds it: NUL after
 * each word.  Read each time: the process may have exec'd. */
static ssize_t
read_cmdline(char *buf, size_t size)
{
    ssize_t len = -1;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        len = read(fd, buf, size);
        close(fd);
    }
    return len;
}

/* The words of the command line, quoted where a shell would split them,
 * each after a space (but the first, without SPACE_FIRST). */
static void
put_command(struct fmt *out, bool space_first)
{
    char args[2048];
    ssize_t len = read_cmdline(args, sizeof args);
    for (ssize_t at = 0; at < len;) {
        const char *arg = args + at;
        size_t n = strnlen(arg, (size_t)(len - at));
        bool plain = n > 0 && strspn(arg, "abcdefghijklmnopqrstuvwxyz"
                                          "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789-_./=:,+@%") == n;
        if (at > 0 || space_first)
            fmt_char(out, ' ');
        if (plain) {
            fmt_mem(out, arg, n);
        } else {
            fmt_char(out, '\'');
            for (size_t i = 0; i < n; i++)
                if (arg[i] == '\'')
                    fmt_str(out, "'\\''");
                else
                    fmt_char(out, arg[i]);
            fmt_char(out, '\'');
        }
        at += (ssize_t)n + 1;
    }
}

/* argv[0], "?" when it cannot be read. */
static void
put_argv0(struct fmt *out)
{
    char name[256];
    ssize_t len = read_cmdline(name, sizeof name - 1);
    name[len > 0 ? len : 0] = '\0';
    fmt_str(out, name[0] ? name : "?");
}

/*
 * Under the launcher, this process's report file in its directory:
 * records.  Else the log file, else standard error: text.  Both files
 * are made private: reports hold the bytes of the program's heap.  The
 * log file, which the user names alone, may be a symbolic link (to
 * /dev/stderr, to a terminal); report files, in a directory other users
 * may share, may not (report_file.c).
 */
static int
open_output(bool *records)
{
    *records = false;
    if (options.report_dir && *options.report_dir) {
        int fd = report_file_open(options.report_dir);
        if (fd >= 0) {
            *records = true;
            return fd;
        }
    }
    if (options.log_file && *options.log_file) {
        int fd = open(options.log_file,
                      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd >= 0)
            return fd;
        report_file_refuse(options.log_file, errno);
    }
    return STDERR_FILENO;
}

/*
 * One record at a time in a process: a record longer than the buffer
 * takes several write()s, and two threads' records must not mix their
 * lines.  The owner is a kernel thread id, so that a thread that opens a
 * record inside its own (a fatal error found while it printed
 * statistics, a handler of a signal that came meanwhile) passes: it
 * writes out what its first record has buffered, and the reader sees
 * the first cut short.  An owner that is gone (a child forked while
 * another thread wrote) or stuck (10 s: in a handler, or waiting for a
 * lock this thread holds) is passed over, as report.c's lock does.
 */
static _Atomic pid_t record_owner;
static __thread struct writer *this_threads_record
    __attribute__((tls_model("initial-exec")));
#define RECORD_WAIT_MS 10000

static void
take_records(struct writer *w)
{
    pid_t me = this_thread();
    w->outer = this_threads_record;
    if (w->outer) {
        writer_flush(w->outer);
    } else {
        for (unsigned waited_ms = 0;; waited_ms += 1) {
            pid_t owner = 0;
            if (atomic_compare_exchange_strong(&record_owner, &owner, me))
                break;
            if ((owner == me || thread_gone(owner) ||
                 waited_ms >= RECORD_WAIT_MS) &&
                atomic_compare_exchange_strong(&record_owner, &owner, me))
                break;
            struct timespec pause = {0, 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
    this_threads_record = w;
}

static void
give_records_back(struct writer *w)
{
    this_threads_record = w->outer;
    if (!w->outer)
        atomic_store(&record_owner, 0);
}

void
writer_open_text(struct writer *w, int fd)
{
    fmt_open(&w->out, fd);
    w->records = false;
    w->close_fd = false;
    w->taken = false;
    w->outer = NULL;
}

void
writer_open(struct writer *w, enum record_kind kind)
{
    bool records;
    int fd = open_output(&records);
    writer_open_text(w, fd);
    take_records(w);
    w->taken = true;
    w->records = records;
    w->close_fd = fd != STDERR_FILENO;
    if (!records)
        return;
    /* A new file starts with the magic line; a process that exec'd, or
     * wrote a report before, appends to its own. */
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size == 0) {
        fmt_str(&w->out, RECORD_MAGIC);
        fmt_char(&w->out, '\n');
    }
    line_start(w, item_tags[RECORD_ITEM_RECORD]);
    fmt_str(&w->out, kind_names[kind]);
    line_end(w);
    writer_field_dec(w, RECORD_FIELD_PID, (uintmax_t)getpid());
    writer_field_dec(w, RECORD_FIELD_PPID, (uintmax_t)getppid());
    writer_field_dec(w, RECORD_FIELD_THREAD, (uintmax_t)this_thread());
    line_start(w, field_tags[RECORD_FIELD_ARGV0]);
    put_argv0(&w->out);
    line_end(w);
    line_start(w, field_tags[RECORD_FIELD_COMMAND]);
    put_command(&w->out, false);
    line_end(w);
}

void
writer_flush(struct writer *w)
{
    fmt_flush(&w->out);
}

void
writer_close(struct writer *w)
{
    if (w->records)
        item(w, RECORD_ITEM_END);
    fmt_flush(&w->out);
    if (w->close_fd)
        close(w->out.fd);
    w->close_fd = false;
    if (w->taken)
        give_records_back(w);
    w->taken = false;
}

void
writer_field(struct writer *w, enum record_field field, const char *value)
{
    if (!w->records)
        return;
    line_start(w, field_tags[field]);
    fmt_str(&w->out, value);
    line_end(w);
}

void
writer_field_dec(struct writer *w, enum record_field field, uintmax_t n)
{
    if (!w->records)
        return;
    line_start(w, field_tags[field]);
    fmt_dec(&w->out, n);
    line_end(w);
}

void
writer_field_hex(struct writer *w, enum record_field field, uintmax_t n)
{
    if (!w->records)
        return;
    line_start(w, field_tags[field]);
    fmt_str(&w->out, "0x");
    fmt_hex(&w->out, n);
    line_end(w);
}

void
writer_block(struct writer *w, const struct block_record *record)
{
    if (!w->records)
        return;
    writer_field_hex(w, RECORD_FIELD_ADDRESS, record->p);
    writer_field_dec(w, RECORD_FIELD_SIZE, record->size);
    line_start(w, field_tags[RECORD_FIELD_API]);
    fmt_char(&w->out, record->api);
    line_end(w);
    const char *name = api_alloc_name(record->api);
    if (name && !record->tracked)
        writer_field(w, RECORD_FIELD_API_NAME, name);
    writer_field_dec(w, RECORD_FIELD_SERIAL, record->serial);
    writer_field_dec(w, RECORD_FIELD_FREED, record->freed);
    writer_field_dec(w, RECORD_FIELD_TRACKED, record->tracked);
    writer_field_dec(w, RECORD_FIELD_GUARDED,
                     record->guard != BLOCK_GUARD_NONE);
}

void
writer_offset(struct writer *w, uintptr_t p, intptr_t offset)
{
    if (!w->records)
        return;
    line_start(w, field_tags[RECORD_FIELD_OFFSET]);
    if (offset < 0)
        fmt_char(&w->out, '-');
    fmt_dec(&w->out, offset < 0 ? -(uintmax_t)offset : (uintmax_t)offset);
    line_end(w);
    /* 8 bytes before the first bad one, and 8 from it on: as many of
     * them as can be read. */
    enum { AROUND = 8 };
    unsigned char bytes[2 * AROUND];
    intptr_t from = offset - AROUND;
    size_t n = sizeof bytes;
    while (n > 0 && !safe_read(bytes, (const void *)(p + (uintptr_t)from), n)) {
        from += AROUND / 2;
        n -= AROUND / 2;
    }
    if (n == 0)
        return;
    line_start(w, field_tags[RECORD_FIELD_BYTES]);
    if (from < 0)
        fmt_char(&w->out, '-');
    fmt_dec(&w->out, from < 0 ? -(uintmax_t)from : (uintmax_t)from);
    w->out.escape = false;
    fmt_char(&w->out, '\t');
    for (size_t i = 0; i < n; i++) {
        if (i)
            fmt_char(&w->out, ' ');
        fmt_hex2(&w->out, bytes[i]);
    }
    line_end(w);
}

void
writer_process(struct writer *w, const char *what)
{
    if (w->records) {
        line_start(w, item_tags[RECORD_ITEM_PROCESS]);
        fmt_str(&w->out, what);
        line_end(w);
        return;
    }
    fmt_str(&w->out, "deadbyte: ");
    fmt_str(&w->out, what);
    fmt_str(&w->out, " in process ");
    fmt_dec(&w->out, (uintmax_t)getpid());
    fmt_str(&w->out, " (");
    put_argv0(&w->out);
    fmt_str(&w->out, "):\n");
}

void
writer_text_begin(struct writer *w)
{
    if (!w->records)
        return;
    w->out.prefix = "text\t";
    w->out.escape = true;
    w->out.at_line_start = true;
}

void
writer_text_end(struct writer *w)
{
    w->out.prefix = NULL;
    w->out.escape = false;
}

void
writer_message_begin(struct writer *w)
{
    if (w->records)
        line_start(w, field_tags[RECORD_FIELD_MESSAGE]);
    else
        fmt_str(&w->out, "deadbyte: ");
}

void
writer_message_end(struct writer *w)
{
    if (w->records)
        line_end(w);
    else
        fmt_char(&w->out, '\n');
}

void
writer_rerun(struct writer *w, size_t serial)
{
    if (w->records) {
        line_start(w, item_tags[RECORD_ITEM_RERUN]);
        fmt_dec(&w->out, serial);
        line_end(w);
        return;
    }
    if (serial == 0) {
        fmt_str(&w->out, RECORD_NO_SERIAL_WORDS "\n");
        return;
    }
    fmt_str(&w->out, RECORD_RERUN_WORDS);
    fmt_dec(&w->out, serial);
    put_command(&w->out, true);
    fmt_char(&w->out, '\n');
}

void
writer_fatal(struct writer *w, const char *func, const char *check,
             const char *detail)
{
    if (w->records) {
        writer_field(w, RECORD_FIELD_FUNCTION, func);
        writer_field(w, RECORD_FIELD_CHECK, check);
        if (detail)
            writer_field(w, RECORD_FIELD_DETAIL, detail);
        item(w, RECORD_ITEM_FATAL);
        return;
    }
    fmt_str(&w->out, "Fatal error: ");
    fmt_str(&w->out, func);
    fmt_str(&w->out, ": ");
    fmt_str(&w->out, check);
    if (detail) {
        fmt_str(&w->out, ": ");
        fmt_str(&w->out, detail);
    }
    fmt_char(&w->out, '\n');
}
