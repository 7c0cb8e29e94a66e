/* SPDX-License-Identifier: MIT */
/*
 * breakpoint.c -- the second half of the serial-number workflow: a report
 * names block N; `deadbyte --break-at N` runs the program again and,
 * when block N is handed out, calls deadbyte_breakpoint().  Under a
 * debugger that stops the program right there (a trap instruction in
 * deadbyte_breakpoint itself, so the debugger shows that frame with the
 * block's pointer, size and API as arguments); without one, deadbyte
 * says where the block was made and goes on, or dies with SIGTRAP if
 * --break-action=trap.
 */
#include "config.h"

#include "breakpoint.h"

#include "deadbyte.h"
#include "api.h"
#include "fmt.h"
#include "frames.h"
#include "options.h"
#include "report.h"
#include "traces.h"
#include "writer_words.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* Is a debugger (any ptrace tracer) attached?  Asked only when a
 * breakpoint is hit, so reading /proc is fine. */
static bool
debugger_attached(void)
{
    char buf[1024];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    const char *tracer = strstr(buf, "TracerPid:");
    if (!tracer)
        return false;
    tracer += sizeof "TracerPid:" - 1;
    while (*tracer == ' ' || *tracer == '\t')
        tracer++;
    return *tracer != '0';
}

static uint32_t last_trace;

DEADBYTE_NOINLINE void
deadbyte_breakpoint(size_t serial, void *p, size_t size, char api)
{
    if (debugger_attached()) {
        /* The debugger stops here: "up" leads to the allocating code. */
#if defined(__x86_64__) || defined(__i386__)
        __asm__ volatile("int3");
#else
        raise(SIGTRAP);
#endif
        return;
    }
    struct writer w;
    writer_open(&w, RECORD_BREAKPOINT);
    writer_field_hex(&w, RECORD_FIELD_ADDRESS, (uintptr_t)p);
    writer_field_dec(&w, RECORD_FIELD_SIZE, size);
    writer_field_dec(&w, RECORD_FIELD_SERIAL, serial);
    const char *name = api_alloc_name(api);
    if (name)
        writer_field(&w, RECORD_FIELD_API_NAME, name);
    /* "deadbyte: block #3 (16 bytes, malloc) is at 0x...; it was made
     * at": the traceback's title. */
    struct fmt title;
    fmt_open(&title, -1);
    words_breakpoint_title(&title, serial, size, api, p);
    title.buf[title.len] = '\0';
    traces_put(&w, "alloc", title.buf, last_trace);
    writer_close(&w);
    if (options.break_action == BREAK_TRAP) {
        signal(SIGTRAP, SIG_DFL);
        raise(SIGTRAP);
    }
}

void
breakpoint_check(size_t serial, void *p, size_t size, char api,
                 uint32_t trace)
{
    for (size_t i = 0; i < options.break_at.count; i++)
        if (options.break_at.serial[i] == serial) {
            last_trace = trace;
            deadbyte_breakpoint(serial, p, size, api);
        }
}
