/* SPDX-License-Identifier: MIT */
/*
 * report.c -- the fatal-error report.  It follows CPython's
 * _PyObject_DebugDumpAddress line by line so that its readers recognise
 * it, names the API in words, adds one line that says in plain words what
 * the bytes mean, and ends with CPython's "Fatal error: <function>:
 * <check>" line before abort().
 *
 * It runs when the heap is known to be damaged: it reads the block only
 * through safe_read() (a bad pointer gives "unreadable", not a second
 * crash), writes with write(2) from the stack, and takes no lock the
 * program could hold.
 */
#include "config.h"

#include "report.h"

#include "api.h"
#include "fmt.h"

#include "options.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/*
 * Copy N bytes from SRC, which may be unmapped, into DST.  The kernel does
 * the reading, so a bad address fails with EFAULT instead of a SIGSEGV.
 */
static bool
safe_read(void *dst, const void *src, size_t n)
{
    struct iovec local = {dst, n};
    struct iovec remote = {(void *)src, n};
    return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)n;
}

static bool
printable(unsigned char c)
{
    return c >= 0x20 && c < 0x7f;
}

/* "'m' (deadbyte_mem_malloc)", or "'\xdd' (not an API id of deadbyte)". */
static void
put_api(struct fmt *out, unsigned char id)
{
    fmt_char(out, '\'');
    if (printable(id)) {
        fmt_char(out, (char)id);
    } else {
        fmt_str(out, "\\x");
        fmt_hex2(out, id);
    }
    fmt_str(out, "' (");
    const char *name = api_alloc_name((char)id);
    fmt_str(out, name ? name : "not an API id of deadbyte");
    fmt_char(out, ')');
}

/*
 * The pad-byte lines for COUNT bytes BYTES at LABEL ("p-7", "tail=0x..."):
 * CPython's wording, one line per byte when one of them is wrong.  Byte i
 * is described as "at <prefix><offset(i)>".  Returns the index of the
 * first bad byte in BYTES order, or -1.
 */
static int
put_pads(struct fmt *out, const unsigned char *bytes, size_t count,
         bool leading)
{
    int first_bad = -1;
    for (size_t i = 0; i < count; i++)
        if (bytes[i] != FORBIDDENBYTE && first_bad < 0)
            first_bad = (int)i;
    if (first_bad < 0) {
        fmt_str(out, "FORBIDDENBYTE, as expected.\n");
        return -1;
    }
    fmt_str(out, "not all FORBIDDENBYTE (0x");
    fmt_hex2(out, FORBIDDENBYTE);
    fmt_str(out, "):\n");
    /* Leading pads are listed from p-(S-1) up to p-1, as CPython does. */
    for (size_t i = 0; i < count; i++) {
        fmt_str(out, leading ? "        at p-" : "        at tail+");
        fmt_dec(out, leading ? count - i : i);
        fmt_str(out, ": 0x");
        fmt_hex2(out, bytes[i]);
        if (bytes[i] != FORBIDDENBYTE)
            fmt_str(out, " *** OUCH");
        fmt_char(out, '\n');
    }
    return first_bad;
}

/* "    Data at p: cd cd ... cd" -- 8 bytes, " ...", the last 8. */
static void
put_data(struct fmt *out, const unsigned char *p, size_t n)
{
    unsigned char head[8], tail[8];
    size_t head_len = n < 8 ? n : 8;
    size_t tail_len = n - head_len < 8 ? n - head_len : 8;
    fmt_str(out, "    Data at p:");
    if (!safe_read(head, p, head_len) ||
        !safe_read(tail, p + n - tail_len, tail_len)) {
        fmt_str(out, " <unreadable>\n");
        return;
    }
    for (size_t i = 0; i < head_len; i++) {
        fmt_char(out, ' ');
        fmt_hex2(out, head[i]);
    }
    if (n > 16)
        fmt_str(out, " ...");
    for (size_t i = 0; i < tail_len; i++) {
        fmt_char(out, ' ');
        fmt_hex2(out, tail[i]);
    }
    fmt_char(out, '\n');
}

/* The one line that says in plain words what the checks found. */
static void
put_diagnosis(struct fmt *out, const struct report_bad *bad, unsigned char id,
              size_t n, int bad_offset)
{
    const char *func = bad->func;
    fmt_str(out, "deadbyte: ");
    switch (bad->fault) {
    case BLOCK_BAD_ID:
        if (api_alloc_name((char)id)) {
            fmt_str(out, "API mismatch: a block allocated with ");
            fmt_str(out, api_alloc_name((char)id));
            fmt_str(out, " was released with ");
            fmt_str(out, func);
        } else if (id == DEADBYTE) {
            fmt_str(out, "the header is filled with DEADBYTE (0xdd): the "
                         "block was most likely freed already (double free "
                         "or stale pointer)");
        } else {
            fmt_str(out, "p does not point to a block made by the debug "
                         "hooks, or something overwrote its header");
        }
        break;
    case BLOCK_BAD_LEADING_PAD:
        fmt_str(out, "buffer underflow: something wrote before the start "
                     "of the block, at p-");
        fmt_dec(out, (uintmax_t)bad_offset);
        break;
    case BLOCK_BAD_SIZE:
        fmt_str(out, "the size field is corrupt: a wild write or an "
                     "underflow past the pad reached the header");
        break;
    case BLOCK_BAD_TRAILING_PAD:
        fmt_str(out, "buffer overflow: something wrote past the end of "
                     "the ");
        fmt_dec(out, n);
        fmt_str(out, "-byte block, at p+");
        fmt_dec(out, n + (size_t)bad_offset);
        break;
    case BLOCK_BAD_DELETE_SIZE:
        fmt_str(out, "sized delete mismatch: ");
        fmt_str(out, func);
        fmt_str(out, " was told the block holds ");
        fmt_dec(out, bad->delete_size);
        fmt_str(out, " bytes, but ");
        fmt_dec(out, n);
        fmt_str(out, " were requested from ");
        fmt_str(out, api_alloc_name((char)id) ? api_alloc_name((char)id) : "?");
        break;
    case BLOCK_OK:
        fmt_str(out, "no fault found (a bug in deadbyte)");
        break;
    }
    fmt_char(out, '\n');
}

static const char *
check_message(enum block_fault fault)
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

/*
 * Where reports go: under the launcher, a file of this process in its
 * report directory (the program may have closed or redirected fd 2);
 * else DEADBYTE_LOG_FILE; else standard error.
 */
static int
open_output(void)
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

/* "deadbyte: fatal error in process 1234 (./prog):" -- the program name
 * is argv[0], read from /proc since we may run before main(). */
static void
put_process(struct fmt *out)
{
    char name[256];
    ssize_t len = -1;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        len = read(fd, name, sizeof name - 1);
        close(fd);
    }
    if (len <= 0)
        len = 0;
    name[len] = '\0';
    fmt_str(out, "deadbyte: fatal error in process ");
    fmt_dec(out, (uintmax_t)getpid());
    fmt_str(out, " (");
    fmt_str(out, name[0] ? name : "?");
    fmt_str(out, "):\n");
}

/* The size field of P, or 0 if it cannot be read. */
static size_t
n_requested(const unsigned char *p)
{
    unsigned char field[SST];
    return safe_read(field, p - 2 * SST, SST) ? block_get_be(field) : 0;
}

/* One report at a time: a second thread waits, and is killed by abort(). */
static atomic_flag reporting = ATOMIC_FLAG_INIT;

void
report_bad_block(const struct report_bad *bad)
{
    const unsigned char *p = bad->p;
    enum block_fault fault = bad->fault;
    size_t capacity = bad->capacity;
    bool with_serial = bad->with_serial;
    struct fmt out;
    unsigned char header[2 * SST];

    while (atomic_flag_test_and_set(&reporting))
        sleep(1);
    fmt_open(&out, open_output());
    put_process(&out);

    fmt_str(&out, "Debug memory block at address p=");
    fmt_ptr(&out, p);
    if (!safe_read(header, p - 2 * SST, sizeof header)) {
        fmt_str(&out, ": the header is unreadable\n\n");
        fmt_str(&out, "deadbyte: p does not point to a block: the bytes "
                      "before it are not mapped\n");
        fault = BLOCK_BAD_ID;
        goto fatal;
    }
    unsigned char id = header[SST];
    size_t n = block_get_be(header);
    fmt_str(&out, ": API ");
    put_api(&out, id);
    fmt_str(&out, "\n    ");
    fmt_dec(&out, n);
    fmt_str(&out, " bytes originally requested\n");

    fmt_str(&out, "    The ");
    fmt_dec(&out, SST - 1);
    fmt_str(&out, " pad bytes at p-");
    fmt_dec(&out, SST - 1);
    fmt_str(&out, " are ");
    int bad_lead = put_pads(&out, header + SST + 1, SST - 1, true);
    if (bad_lead >= 0) {
        fmt_str(&out, "    Because memory is corrupted at the start, the "
                      "count of bytes requested\n"
                      "       may be bogus, and the trailing pad bytes may "
                      "not be where it says.\n");
        bad_lead = (int)(SST - 1) - bad_lead; /* as an offset below p */
    }

    /* Past this point the size field decides what is read: trust it only
     * as far as the base allocation is known to go. */
    int bad_tail = -1;
    bool size_ok = n <= block_max_request(with_serial) &&
                   n + block_overhead(with_serial) <= capacity;
    if (!size_ok) {
        fmt_str(&out, "    The size field cannot be right: the block holds "
                      "at most ");
        fmt_dec(&out, capacity - block_overhead(with_serial));
        fmt_str(&out, " data bytes, so the trailing pad bytes are not "
                      "read.\n");
    } else {
        unsigned char trailer[2 * SST];
        size_t trailer_len = with_serial ? 2 * SST : SST;
        fmt_str(&out, "    The ");
        fmt_dec(&out, SST);
        fmt_str(&out, " pad bytes at tail=");
        fmt_ptr(&out, p + n);
        fmt_str(&out, " are ");
        if (!safe_read(trailer, p + n, trailer_len)) {
            fmt_str(&out, "unreadable.\n");
        } else {
            bad_tail = put_pads(&out, trailer, SST, false);
            if (with_serial) {
                fmt_str(&out, "    The block was made by call #");
                fmt_dec(&out, block_get_be(trailer + SST));
                fmt_str(&out, " to debug malloc/realloc.\n");
            }
        }
        if (n > 0)
            put_data(&out, p, n);
    }
    fmt_char(&out, '\n');
    put_diagnosis(&out, bad, id, n,
                  fault == BLOCK_BAD_LEADING_PAD ? bad_lead : bad_tail);

fatal:
    fmt_str(&out, "Fatal error: ");
    fmt_str(&out, bad->func);
    fmt_str(&out, ": ");
    fmt_str(&out, check_message(fault));
    if (fault == BLOCK_BAD_ID && p) {
        fmt_str(&out, ": Allocated using API ");
        unsigned char id_byte = 0;
        (void)safe_read(&id_byte, p - SST, 1);
        if (printable(id_byte)) {
            fmt_char(&out, '\'');
            fmt_char(&out, (char)id_byte);
            fmt_char(&out, '\'');
        } else {
            fmt_str(&out, "'\\x");
            fmt_hex2(&out, id_byte);
            fmt_char(&out, '\'');
        }
        fmt_str(&out, ", verified using API '");
        fmt_char(&out, bad->verify_api);
        fmt_char(&out, '\'');
    }
    if (fault == BLOCK_BAD_DELETE_SIZE) {
        fmt_str(&out, ": ");
        fmt_dec(&out, n_requested(p));
        fmt_str(&out, " bytes allocated, ");
        fmt_dec(&out, bad->delete_size);
        fmt_str(&out, " passed");
    }
    fmt_char(&out, '\n');
    fmt_flush(&out);
    abort();
}
