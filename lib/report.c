/* SPDX-License-Identifier: MIT */
/*
 * report.c -- the fatal-error reports.  Each starts with the process
 * ("deadbyte: fatal error in process 1234 (./prog):"), dumps the block in
 * CPython's layout (dump.c), shows the tracebacks (frames.c), says in one
 * line of plain words what happened, and ends with CPython's "Fatal
 * error: <function>: <check>" line, then abort() (exit 134 in the checks
 * made as the process ends).
 *
 * It runs when the heap is known to be damaged: no malloc, no stdio, no
 * lock the program could hold, and none of deadbyte's own (its callers
 * let go of theirs first); one report at a time, one per thread.
 */
#include "config.h"

#include "report.h"

#include "api.h"
#include "dump.h"
#include "fmt.h"
#include "frames.h"
#include "heap.h"
#include "keep_going.h"
#include "maps.h"
#include "options.h"
#include "safe_read.h"
#include "thread_id.h"
#include "traces.h"
#include "writer.h"
#include "writer_words.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * One report at a time, and at most one per thread.  The lock holds the
 * kernel id of the thread writing a report, and stays held through the
 * abort() that ends it: the program's SIGABRT handler runs then, and a
 * report that it starts (a free() of a bad pointer) is a second error on
 * the same thread, which must not wait for itself.  A thread id, not a
 * per-thread flag: a child forked while a report was being written
 * inherits the lock but none of its threads owns it.
 */
static _Atomic pid_t report_owner;

/* How long another thread's report may keep this one waiting.  A report
 * takes milliseconds; its writer may be stuck for good, though: in the
 * program's SIGABRT handler, or waiting for a lock that the waiting
 * thread holds (the loader's, which reports take to name functions).
 * After that this thread writes its report too, and its abort() ends the
 * process. */
#define REPORT_WAIT_MS 10000


/*
 * End the process with SIGABRT now, whatever the program made of the
 * signal: its handler already ran once for the first report.
 */
static _Noreturn void
abort_now(void)
{
    struct sigaction by_default;
    memset(&by_default, 0, sizeof by_default);
    by_default.sa_handler = SIG_DFL;
    sigemptyset(&by_default.sa_mask);
    sigaction(SIGABRT, &by_default, NULL);
    sigset_t abrt;
    sigemptyset(&abrt);
    sigaddset(&abrt, SIGABRT);
    sigprocmask(SIG_UNBLOCK, &abrt, NULL);
    raise(SIGABRT);
    _exit(128 + SIGABRT); /* SIGABRT could not end us: say it still */
}

/* The report this thread is writing, whose text may still be buffered. */
static struct writer *_Atomic report_in_progress;

/*
 * A report began while this thread was writing one, or was in the
 * abort() that ends one: say so in one line, after whatever of the first
 * is still buffered, and end the process.
 */
static _Noreturn void
second_error(const char *func, const char *check)
{
    struct writer *first = atomic_load(&report_in_progress);
    if (first)
        writer_flush(first);
    struct writer w;
    writer_open(&w, RECORD_SECOND_ERROR);
    writer_field(&w, RECORD_FIELD_FUNCTION, func);
    writer_field(&w, RECORD_FIELD_CHECK, check);
    writer_say_second_error(&w, func, check);
    writer_close(&w);
    abort_now();
}

/* Take the report lock for the calling thread, or end the process if it
 * holds it already. */
static void
lock_reports(const char *func, const char *check)
{
    pid_t me = this_thread();
    for (unsigned waited_ms = 0;; waited_ms += 10) {
        pid_t owner = 0;
        if (atomic_compare_exchange_strong(&report_owner, &owner, me))
            return;
        if (owner == me)
            second_error(func, check);
        /* Take it over, unless another thread did meanwhile. */
        if ((thread_gone(owner) || waited_ms >= REPORT_WAIT_MS) &&
            atomic_compare_exchange_strong(&report_owner, &owner, me))
            return;
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

bool
report_begun(void)
{
    return atomic_load(&report_owner) != 0;
}

void
report_begin(struct writer *w, enum record_kind kind, const char *func,
             const char *check)
{
    lock_reports(func, check);
    writer_open(w, kind);
    atomic_store(&report_in_progress, w);
    /* Under --keep-going the program goes on: no "fatal" then. */
    writer_process(w, keep_going_continues() ? "error" : "fatal error");
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

/* Write out the rest of the report, and end the process (stop_process):
 * the program's SIGABRT handler, or its exit handlers, run with the
 * report lock still held by this thread.  Under --keep-going, let go of
 * the lock and return instead: the program goes on. */
void
report_end(struct writer *w)
{
    writer_close(w); /* which closes what it opened */
    atomic_store(&report_in_progress, NULL); /* written out, whole */
    if (keep_going_continues()) {
        atomic_store(&report_owner, 0);
        return;
    }
    stop_process();
}

/* "Fatal error: <func>: <check>", then the end (see report_end). */
static void
finish(struct writer *w, const char *func, const char *check)
{
    writer_fatal(w, func, check, NULL);
    report_end(w);
}

/* The tracebacks every report about a block ends with. */
static void
put_traces(struct writer *w, const struct block_record *record,
           const char *call_title, uint32_t call_trace)
{
    traces_put(w, "alloc", "Memory block allocated at",
                     record->alloc_trace);
    /* The block's free, unless it is the call being reported (a check
     * of the block being freed); with --frames 0 both ids are 0. */
    if (record->freed && (record->free_trace != call_trace || call_trace == 0))
        traces_put(w, "free", "Memory block freed at",
                         record->free_trace);
    if (call_title)
        traces_put(w, traces_from_fault(call_trace) ? "fault" : "call",
                         call_title, call_trace);
}

/* CPython's name of the check that FAULT failed. */
static const char *
bad_block_check(enum block_fault fault)
{
    switch (fault) {
    case BLOCK_BAD_ID:
        return "bad ID";
    case BLOCK_BAD_LEADING_PAD:
        return "bad leading pad byte";
    case BLOCK_BAD_SIZE:
        return "bad size field";
    case BLOCK_BAD_TRAILING_PAD:
        return "bad trailing pad byte";
    case BLOCK_BAD_DELETE_SIZE:
        return "bad size for sized delete";
    case BLOCK_OK:
        break;
    }
    return "no fault";
}

/* The kind of record for FAULT; API_ID is the id in the block's header. */
static enum record_kind
bad_block_kind(enum block_fault fault, unsigned char api_id)
{
    switch (fault) {
    case BLOCK_BAD_ID:
        return api_alloc_name((char)api_id) ? RECORD_API_MISMATCH
                                            : RECORD_CORRUPT_HEADER;
    case BLOCK_BAD_LEADING_PAD:
        return RECORD_HEAP_BUFFER_UNDERFLOW;
    case BLOCK_BAD_SIZE:
        return RECORD_CORRUPT_HEADER;
    case BLOCK_BAD_DELETE_SIZE:
        return RECORD_SIZED_DELETE_MISMATCH;
    case BLOCK_BAD_TRAILING_PAD:
    case BLOCK_OK:
        break;
    }
    return RECORD_HEAP_BUFFER_OVERFLOW;
}

void
report_bad_block(const struct report_bad *bad)
{
    const char *check = bad_block_check(bad->fault);
    const struct block_record *record = bad->record;
    /* The API id in the header decides between a mismatch and a header
     * overwritten: read it before the record starts. */
    unsigned char header_api = 0;
    if (bad->fault == BLOCK_BAD_ID)
        safe_read(&header_api, (const unsigned char *)bad->p - SST, 1);
    struct writer w;
    report_begin(&w, bad_block_kind(bad->fault, header_api), bad->func, check);
    writer_block(&w, record);
    struct dump_findings found;
    writer_text_begin(&w);
    if (record->p == (uintptr_t)bad->p)
        dump_record(&w.out, record, bad->with_serial, &found);
    else
        dump_block(&w.out, bad->p, record->size, bad->with_serial,
                   record->serial, &found);
    writer_text_end(&w);

    /* The stack of the bad call: "free() was called at". */
    struct fmt title;
    fmt_open(&title, -1);
    words_detected_title(&title, bad->func);
    title.buf[title.len] = '\0';
    struct block_record live = *record;
    live.freed = false; /* the registry copy predates this release */
    put_traces(&w, &live, title.buf, bad->call_trace);

    if (bad->fault == BLOCK_BAD_LEADING_PAD)
        writer_offset(&w, record->p, -(intptr_t)found.bad_lead);
    else if (bad->fault == BLOCK_BAD_TRAILING_PAD)
        writer_offset(&w, record->p,
                      (intptr_t)(record->size + (size_t)found.bad_tail));
    struct bad_block_words words = {
        bad->func,    bad->fault,     record,           found.header_api,
        bad->verify_api, found.bad_lead, found.bad_tail, bad->delete_size};
    writer_say_bad_block(&w, &words);
    writer_rerun(&w, record->serial);
    struct fmt detail;
    fmt_open(&detail, -1);
    words_bad_block_detail(&detail, &words);
    detail.buf[detail.len] = '\0';
    writer_fatal(&w, bad->func, check, detail.len ? detail.buf : NULL);
    report_end(&w);
}

static size_t put_freed_dump(struct writer *w,
                             const struct block_record *record,
                             bool with_serial, ptrdiff_t *first);

/* The mapping that holds the address, if it does; stop there. */
static bool
find_mapping(const struct mapping *m, void *arg)
{
    struct where *where = arg;
    uintptr_t addr = where->block;
    if (addr < m->start || addr >= m->end)
        return true;
    size_t len = strlen(m->path);
    if (len >= sizeof where->path)
        len = sizeof where->path - 1;
    memcpy(where->path, m->path, len);
    where->path[len] = '\0';
    memcpy(where->perms, m->perms, sizeof where->perms);
    where->kind = !*m->path                          ? WHERE_ANONYMOUS
                  : strcmp(m->path, "[stack]") == 0 ? WHERE_MAIN_STACK
                  : m->path[0] == '['                ? WHERE_SPECIAL
                  : m->perms[2] == 'x'               ? WHERE_CODE
                                                     : WHERE_DATA;
    return false;
}

/* Where ADDR lies, which is no block's data: in deadbyte's heap (next
 * to which block), or in which mapping, from /proc/self/maps. */
static void
where_is(uintptr_t addr, struct where *where)
{
    memset(where, 0, sizeof *where);
    if (heap_owns(addr)) {
        struct block_record block;
        where->kind = WHERE_HEAP;
        if (block_containing(addr, &block)) {
            where->kind = WHERE_HEAP_BLOCK;
            where->size = block.size;
            where->block = block.p;
            where->freed = block.freed;
        }
        return;
    }
    where->kind = WHERE_NOWHERE;
    where->block = addr; /* find_mapping's question */
    maps_for_each(find_mapping, where);
    where->block = 0;
}

void
report_unknown_pointer(const char *func, const void *p, uint32_t call_trace)
{
    struct block_record inside;
    bool interior = registry_containing((uintptr_t)p, &inside);
    struct writer w;
    report_begin(&w, interior ? RECORD_INTERIOR_FREE : RECORD_INVALID_FREE,
                 func, interior ? "interior pointer" : "invalid pointer");
    if (interior) {
        writer_block(&w, &inside);
        writer_offset(&w, inside.p, (intptr_t)((uintptr_t)p - inside.p));
        struct dump_findings found;
        ptrdiff_t first;
        /* A freed block is all 0xDD, its header too: its dump shows what
         * changed since, not a header that looks damaged. */
        if (inside.freed) {
            put_freed_dump(&w, &inside, options.serialno, &first);
        } else if (!inside.tracked) { /* a tracked block has no header */
            writer_text_begin(&w);
            dump_record(&w.out, &inside, options.serialno, &found);
            writer_text_end(&w);
        }
        put_traces(&w, &inside, "Bad call at", call_trace);
        writer_say_interior(&w, func, &inside, (uintptr_t)p - inside.p);
        writer_rerun(&w, inside.serial);
        finish(&w, func, "interior pointer");
        return;
    }
    writer_field_hex(&w, RECORD_FIELD_ADDRESS, (uintptr_t)p);
    struct where where;
    where_is((uintptr_t)p, &where);
    writer_pointer_lines(&w, p, &where);
    traces_put(&w, "call", "Bad call at", call_trace);
    writer_say_invalid(&w, func);
    finish(&w, func, "invalid pointer");
}

/* The dump of a freed block (dump.c), as lines of text of the record. */
static size_t
put_freed_dump(struct writer *w, const struct block_record *record,
               bool with_serial, ptrdiff_t *first)
{
    writer_text_begin(w);
    size_t changed = dump_freed(&w->out, record, with_serial, first);
    writer_text_end(w);
    return changed;
}

void
report_freed_block(const char *func, const struct block_record *record,
                   uint32_t call_trace)
{
    /* What the program tried to do with it, in words. */
    const char *title = "Used again at", *words = "use after free: ";
    const char *check = "use of a freed block";
    enum record_kind kind = RECORD_USE_AFTER_FREE;
    if (strstr(func, "realloc")) {
        title = "Reallocated at";
        words = "realloc of freed memory: ";
        check = "realloc of a freed block";
        kind = RECORD_REALLOC_OF_FREED;
    } else if (strstr(func, "free") || strstr(func, "delete")) {
        title = "Freed again at";
        words = "double free: ";
        check = "double free";
        kind = RECORD_DOUBLE_FREE;
    }
    struct writer w;
    report_begin(&w, kind, func, check);
    writer_block(&w, record);
    ptrdiff_t first = 0;
    put_freed_dump(&w, record, options.serialno, &first);
    put_traces(&w, record, title, call_trace);
    writer_say_freed(&w, words, func, record);
    writer_rerun(&w, record->serial);
    finish(&w, func, check);
}

void
report_tracked_block(const char *func, const struct block_record *record,
                     uint32_t call_trace)
{
    struct writer w;
    report_begin(&w, RECORD_TRACKED_BLOCK, func,
                 "block registered with deadbyte_track");
    writer_block(&w, record);
    writer_tracked_lines(&w, record);
    traces_put(&w, "alloc", "Memory block registered at",
                     record->alloc_trace);
    traces_put(&w, "call", "Bad call at", call_trace);
    writer_say_tracked(&w, func, record);
    finish(&w, func, "block registered with deadbyte_track");
}

void
report_write_after_free(const char *func, const struct block_record *record,
                        bool with_serial)
{
    struct writer w;
    report_begin(&w, RECORD_WRITE_AFTER_FREE, func, "write after free");
    writer_block(&w, record);
    ptrdiff_t first = 0;
    size_t changed = put_freed_dump(&w, record, with_serial, &first);
    put_traces(&w, record, NULL, 0);
    writer_offset(&w, record->p, first);
    writer_say_write_after_free(&w, record, changed, first,
                                strcmp(func, "deadbyte_check_heap") == 0);
    writer_rerun(&w, record->serial);
    finish(&w, func, "write after free");
}

void
report_out_of_memory(const char *func, const void *p, size_t size)
{
    struct writer w;
    report_begin(&w, RECORD_OUT_OF_MEMORY, func,
                 "out of memory for the block registry");
    writer_field_hex(&w, RECORD_FIELD_ADDRESS, (uintptr_t)p);
    writer_field_dec(&w, RECORD_FIELD_SIZE, size);
    writer_say_out_of_memory(&w, func, p, size);
    finish(&w, func, "out of memory for the block registry");
}

/* ---- The parts of a report, for the reports of other files ------------ */

void
report_put_traces(struct writer *w, const struct block_record *record,
                  const char *call_title, uint32_t call_trace)
{
    put_traces(w, record, call_title, call_trace);
}

void
report_put_freed_dump(struct writer *w, const struct block_record *record,
                      bool with_serial)
{
    ptrdiff_t first = 0;
    put_freed_dump(w, record, with_serial, &first);
}

void
report_finish(struct writer *w, const char *func, const char *check)
{
    finish(w, func, check);
}
