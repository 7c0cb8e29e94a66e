/* SPDX-License-Identifier: MIT */
/*
 * report.c -- the fatal-error reports.  Each starts with the process
 * ("deadbyte: fatal error in process 1234 (./prog):"), dumps the block in
 * CPython's layout (dump.c), shows the tracebacks (frames.c), says in one
 * line of plain words what happened, and ends with CPython's "Fatal
 * error: <function>: <check>" line, then abort().
 *
 * It runs when the heap is known to be damaged: no malloc, no stdio, no
 * lock the program could hold; one report at a time.
 */
#include "config.h"

#include "report.h"

#include "api.h"
#include "dump.h"
#include "fmt.h"
#include "frames.h"
#include "options.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * Where reports go: under the launcher, a file of this process in its
 * report directory (the program may have closed or redirected fd 2);
 * else DEADBYTE_LOG_FILE; else standard error.
 */
int
report_open_output(void)
{
    int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
    if (options.report_dir && *options.report_dir) {
        struct fmt path; /* used as a string buffer, never flushed */
        fmt_open(&path, -1);
        fmt_str(&path, options.report_dir);
        fmt_str(&path, "/");
        fmt_dec(&path, (uintmax_t)getpid());
        fmt_str(&path, ".report");
        if (path.len < sizeof path.buf) {
            path.buf[path.len] = '\0';
            int fd = open(path.buf, flags, 0600);
            if (fd >= 0)
                return fd;
        }
    }
    if (options.log_file && *options.log_file) {
        int fd = open(options.log_file, flags, 0644);
        if (fd >= 0)
            return fd;
    }
    return STDERR_FILENO;
}

/* One report at a time: a second thread waits, and abort() ends it. */
static atomic_flag reporting = ATOMIC_FLAG_INIT;

/*
 * Start a report: "deadbyte: fatal error in process 1234 (./prog):" -- the
 * program name is argv[0], read from /proc since we may run before main().
 */
static void
begin(struct fmt *out)
{
    while (atomic_flag_test_and_set(&reporting))
        sleep(1);
    fmt_open(out, report_open_output());
    report_put_process(out, "fatal error");
}

void
report_put_process(struct fmt *out, const char *what)
{
    char name[256];
    ssize_t len = -1;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        len = read(fd, name, sizeof name - 1);
        close(fd);
    }
    name[len > 0 ? len : 0] = '\0';
    fmt_str(out, "deadbyte: ");
    fmt_str(out, what);
    fmt_str(out, " in process ");
    fmt_dec(out, (uintmax_t)getpid());
    fmt_str(out, " (");
    fmt_str(out, name[0] ? name : "?");
    fmt_str(out, "):\n");
}

/*
 * The next step: "To stop when this block is allocated, rerun with:
 * deadbyte --break-at 12 ./prog arg".  The command is this process's own
 * (so a child's report reruns the child), from /proc/self/cmdline, with
 * the arguments a shell would split quoted.
 */
void
report_put_rerun(struct fmt *out, size_t serial)
{
    if (serial == 0) {
        fmt_str(out, "deadbyte: this block has no serial number "
                     "(--serialno=0); without that option, the report "
                     "would say how to stop where it is made.\n");
        return;
    }
    fmt_str(out, "To stop when this block is allocated, rerun with: "
                 "deadbyte --break-at ");
    fmt_dec(out, serial);
    char args[2048];
    ssize_t len = -1;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        len = read(fd, args, sizeof args);
        close(fd);
    }
    for (ssize_t at = 0; at < len;) {
        const char *arg = args + at;
        size_t n = strnlen(arg, (size_t)(len - at));
        bool plain = n > 0 && strspn(arg, "abcdefghijklmnopqrstuvwxyz"
                                          "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789-_./=:,+@%") == n;
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
    fmt_char(out, '\n');
}

/*
 * How a report ends the process.  While the program runs, abort(): it
 * stops where the damage was found, with a core dump.  In the checks
 * made as the process ends, its work is done: exit with
 * REPORT_EXIT_STATUS instead.  After exit() -- the check at exit --
 * that exit flushes stdio as the program's own exit would have (a
 * recursive exit, which glibc supports: its stdio cleanup takes no
 * stream lock, so a thread blocked in a read on stdin cannot hang it);
 * after _exit or before exec, which drop stdio buffers, _exit.
 * Per thread: only the thread making the final check ends it that way.
 */
static __thread enum report_ending ending
    __attribute__((tls_model("initial-exec")));

void
report_set_ending(enum report_ending how)
{
    ending = how;
}

static _Noreturn void
stop_process(void)
{
    switch (ending) {
    case REPORT_EXIT:
        exit(REPORT_EXIT_STATUS);
    case REPORT__EXIT:
        /* The system call, not _exit: the preload library's _exit would
         * start the final check again. */
        syscall(SYS_exit_group, REPORT_EXIT_STATUS);
        break;
    case REPORT_ABORT:
        break;
    }
    abort();
}

/* "deadbyte: <what>\nFatal error: <func>: <check>\n", then the end. */
static _Noreturn void
finish(struct fmt *out, const char *func, const char *check)
{
    fmt_str(out, "Fatal error: ");
    fmt_str(out, func);
    fmt_str(out, ": ");
    fmt_str(out, check);
    fmt_char(out, '\n');
    fmt_flush(out);
    stop_process();
}

static void
put_api_char(struct fmt *out, unsigned char id)
{
    fmt_char(out, '\'');
    if (id >= 0x20 && id < 0x7f) {
        fmt_char(out, (char)id);
    } else {
        fmt_str(out, "\\x");
        fmt_hex2(out, id);
    }
    fmt_char(out, '\'');
}

/* "the 16-byte block allocated with malloc (call #12)" */
static void
put_block_words(struct fmt *out, const struct block_record *record)
{
    fmt_str(out, "the ");
    fmt_dec(out, record->size);
    if (record->tracked) {
        fmt_str(out, "-byte block registered with deadbyte_track (API ");
        put_api_char(out, (unsigned char)record->api);
        fmt_char(out, ')');
        return;
    }
    fmt_str(out, "-byte block allocated with ");
    const char *name = api_alloc_name(record->api);
    fmt_str(out, name ? name : "?");
    if (record->serial) {
        fmt_str(out, " (call #");
        fmt_dec(out, record->serial);
        fmt_char(out, ')');
    }
}

/* The tracebacks every report about a block ends with. */
static void
put_traces(struct fmt *out, const struct block_record *record,
           const char *call_title, uint32_t call_trace)
{
    frames_put_trace(out, "Memory block allocated at", record->alloc_trace);
    /* The block's free, unless it is the call being reported (a check
     * of the block being freed); with --frames 0 both ids are 0. */
    if (record->freed && (record->free_trace != call_trace || call_trace == 0))
        frames_put_trace(out, "Memory block freed at", record->free_trace);
    if (call_title)
        frames_put_trace(out, call_title, call_trace);
}

void
report_bad_block(const struct report_bad *bad)
{
    struct fmt out;
    begin(&out);
    const struct block_record *record = bad->record;
    struct dump_findings found;
    dump_block(&out, bad->p, record->size, bad->with_serial, &found);

    /* The stack of the bad call: "free() was called at". */
    struct fmt title;
    fmt_open(&title, -1);
    fmt_str(&title, "Detected by ");
    fmt_str(&title, bad->func);
    fmt_str(&title, " at");
    title.buf[title.len] = '\0';
    struct block_record live = *record;
    live.freed = false; /* the registry copy predates this release */
    put_traces(&out, &live, title.buf, bad->call_trace);

    fmt_str(&out, "deadbyte: ");
    const char *check = "no fault";
    unsigned char id = found.header_api;
    switch (bad->fault) {
    case BLOCK_BAD_ID:
        check = "bad ID";
        if (api_alloc_name((char)id)) {
            fmt_str(&out, "API mismatch: a block allocated with ");
            fmt_str(&out, api_alloc_name((char)id));
            fmt_str(&out, " was released with ");
            fmt_str(&out, bad->func);
        } else {
            fmt_str(&out, "the API id of the block was overwritten (deadbyte "
                          "recorded ");
            put_api_char(&out, (unsigned char)record->api);
            fmt_str(&out, "): an underflow or a wild write reached the "
                          "header");
        }
        break;
    case BLOCK_BAD_LEADING_PAD:
        check = "bad leading pad byte";
        fmt_str(&out, "buffer underflow: something wrote before the start "
                      "of the block, at p-");
        fmt_dec(&out, (uintmax_t)found.bad_lead);
        break;
    case BLOCK_BAD_SIZE:
        check = "bad size field";
        fmt_str(&out, "the size field is corrupt: an underflow or a wild "
                      "write reached the header");
        break;
    case BLOCK_BAD_TRAILING_PAD:
        check = "bad trailing pad byte";
        fmt_str(&out, "buffer overflow: something wrote past the end of "
                      "the ");
        fmt_dec(&out, record->size);
        fmt_str(&out, "-byte block, at p+");
        fmt_dec(&out, record->size + (size_t)found.bad_tail);
        break;
    case BLOCK_BAD_DELETE_SIZE:
        check = "bad size for sized delete";
        fmt_str(&out, "sized delete mismatch: ");
        fmt_str(&out, bad->func);
        fmt_str(&out, " was told the block holds ");
        fmt_dec(&out, bad->delete_size);
        fmt_str(&out, " bytes, but ");
        fmt_dec(&out, record->size);
        fmt_str(&out, " were requested from ");
        fmt_str(&out, api_alloc_name(record->api) ? api_alloc_name(record->api) : "?");
        break;
    case BLOCK_OK:
        break;
    }
    fmt_char(&out, '\n');
    report_put_rerun(&out, record->serial);

    fmt_str(&out, "Fatal error: ");
    fmt_str(&out, bad->func);
    fmt_str(&out, ": ");
    fmt_str(&out, check);
    if (bad->fault == BLOCK_BAD_ID) {
        fmt_str(&out, ": Allocated using API ");
        put_api_char(&out, id);
        fmt_str(&out, ", verified using API '");
        fmt_char(&out, bad->verify_api);
        fmt_char(&out, '\'');
    } else if (bad->fault == BLOCK_BAD_DELETE_SIZE) {
        fmt_str(&out, ": ");
        fmt_dec(&out, record->size);
        fmt_str(&out, " bytes allocated, ");
        fmt_dec(&out, bad->delete_size);
        fmt_str(&out, " passed");
    }
    fmt_char(&out, '\n');
    fmt_flush(&out);
    stop_process();
}

void
report_unknown_pointer(const char *func, const void *p, uint32_t call_trace)
{
    struct fmt out;
    begin(&out);
    struct block_record inside;
    bool interior = registry_containing((uintptr_t)p, &inside);
    if (interior) {
        struct dump_findings found;
        if (!inside.tracked) /* a tracked block has no header to show */
            dump_block(&out, (const unsigned char *)inside.p, inside.size,
                       options.serialno, &found);
        put_traces(&out, &inside, "Bad call at", call_trace);
        fmt_str(&out, "deadbyte: interior pointer: ");
        fmt_str(&out, func);
        fmt_str(&out, " was given p+");
        fmt_dec(&out, (uintptr_t)p - inside.p);
        fmt_str(&out, ", not the start p of ");
        put_block_words(&out, &inside);
        fmt_str(&out, inside.freed ? ", which was freed already\n" : "\n");
        report_put_rerun(&out, inside.serial);
        finish(&out, func, "interior pointer");
    }
    fmt_str(&out, "Pointer ");
    fmt_ptr(&out, p);
    fmt_str(&out, " was not handed out by deadbyte: it lies ");
    frames_put_where(&out, (uintptr_t)p);
    fmt_str(&out, ".\n\n");
    frames_put_trace(&out, "Bad call at", call_trace);
    fmt_str(&out, "deadbyte: invalid pointer: ");
    fmt_str(&out, func);
    fmt_str(&out, " was given a pointer that no allocation function "
                  "returned (or whose block was released long ago)\n");
    finish(&out, func, "invalid pointer");
}

/*
 * The dump of a freed block, which the quarantine still holds: its header
 * is DEADBYTE too, so the size and API come from the registry.  Lists the
 * bytes that are no longer DEADBYTE (a write after free); returns how
 * many, and the offset from p of the first in *FIRST.
 */
static size_t
put_freed_dump(struct fmt *out, const struct block_record *record,
               bool with_serial, ptrdiff_t *first)
{
    const unsigned char *p = (const unsigned char *)record->p;
    size_t end = record->size + block_overhead(with_serial) - 2 * SST;
    fmt_str(out, "Debug memory block at address p=");
    fmt_ptr(out, p);
    fmt_str(out, ": API ");
    dump_api(out, (unsigned char)record->api);
    fmt_str(out, ", freed\n    ");
    fmt_dec(out, record->size);
    fmt_str(out, " bytes originally requested\n"
                 "    The block was filled with DEADBYTE (0xdd) when it was "
                 "freed");
    size_t changed = 0;
    for (size_t i = 0; i < record->offset + end; i++) {
        unsigned char byte;
        ptrdiff_t at = (ptrdiff_t)i - (ptrdiff_t)record->offset;
        if (!dump_safe_read(&byte, p + at, 1) || byte == DEADBYTE)
            continue;
        if (changed == 0) {
            *first = at;
            fmt_str(out, "; these bytes changed since:\n");
        }
        if (++changed <= 16) {
            fmt_str(out, at < 0 ? "        at p-" : "        at p+");
            fmt_dec(out, (uintmax_t)(at < 0 ? -at : at));
            fmt_str(out, ": 0x");
            fmt_hex2(out, byte);
            fmt_str(out, " *** OUCH\n");
        }
    }
    if (changed == 0)
        fmt_str(out, ", and deadbyte's quarantine still holds it.\n");
    if (changed > 16) {
        fmt_str(out, "        ... and ");
        fmt_dec(out, changed - 16);
        fmt_str(out, " more\n");
    }
    if (record->serial) {
        fmt_str(out, "    The block was made by call #");
        fmt_dec(out, record->serial);
        fmt_str(out, " to debug malloc/realloc.\n");
    }
    if (record->size > 0)
        dump_data(out, p, record->size);
    fmt_char(out, '\n');
    return changed;
}

void
report_freed_block(const char *func, const struct block_record *record,
                   uint32_t call_trace)
{
    struct fmt out;
    begin(&out);
    ptrdiff_t first = 0;
    put_freed_dump(&out, record, options.serialno, &first);
    /* What the program tried to do with it, in words. */
    const char *title = "Used again at", *words = "use after free: ";
    const char *check = "use of a freed block";
    if (strstr(func, "realloc")) {
        title = "Reallocated at";
        words = "realloc of freed memory: ";
        check = "realloc of a freed block";
    } else if (strstr(func, "free") || strstr(func, "delete")) {
        title = "Freed again at";
        words = "double free: ";
        check = "double free";
    }
    put_traces(&out, record, title, call_trace);
    fmt_str(&out, "deadbyte: ");
    fmt_str(&out, words);
    fmt_str(&out, func);
    fmt_str(&out, " was given ");
    put_block_words(&out, record);
    fmt_str(&out, ", which was freed already\n");
    report_put_rerun(&out, record->serial);
    finish(&out, func, check);
}

void
report_tracked_block(const char *func, const struct block_record *record,
                     uint32_t call_trace)
{
    struct fmt out;
    begin(&out);
    fmt_str(&out, "Memory block at p=");
    fmt_ptr(&out, (const void *)record->p);
    fmt_str(&out, ": ");
    fmt_dec(&out, record->size);
    fmt_str(&out, " bytes registered with deadbyte_track(), not allocated "
                  "by deadbyte\n\n");
    frames_put_trace(&out, "Memory block registered at", record->alloc_trace);
    frames_put_trace(&out, "Bad call at", call_trace);
    fmt_str(&out, "deadbyte: tracked block: ");
    fmt_str(&out, func);
    fmt_str(&out, " was given ");
    put_block_words(&out, record);
    fmt_str(&out, "; call deadbyte_untrack() and release it the way it "
                  "was obtained\n");
    finish(&out, func, "block registered with deadbyte_track");
}

void
report_write_after_free(const char *func, const struct block_record *record,
                        bool with_serial)
{
    struct fmt out;
    begin(&out);
    ptrdiff_t first = 0;
    size_t changed = put_freed_dump(&out, record, with_serial, &first);
    put_traces(&out, record, NULL, 0);
    fmt_str(&out, "deadbyte: write after free: ");
    fmt_dec(&out, changed);
    fmt_str(&out, changed == 1 ? " byte of " : " bytes of ");
    put_block_words(&out, record);
    fmt_str(&out, " changed after it was freed, the first at p");
    fmt_char(&out, first < 0 ? '-' : '+');
    fmt_dec(&out, (uintmax_t)(first < 0 ? -first : first));
    fmt_str(&out, strcmp(func, "deadbyte_check_heap") == 0
                      ? " (found by the heap check)\n"
                      : " (found when the block left the quarantine)\n");
    report_put_rerun(&out, record->serial);
    finish(&out, func, "write after free");
}
