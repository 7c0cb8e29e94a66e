/* SPDX-License-Identifier: MIT */
/*
 * frames.c -- tracebacks for reports.  Function names come from dladdr()
 * (the dynamic symbol table: exported functions only); file and line are
 * the launcher's job, from "module+0xoffset" -- the offset from the
 * module's load address, so it stays true after the process died.
 * dladdr() takes the loader's lock, which is recursive: the failing thread
 * may hold it already, and no other lock is held here.
 */
#include "config.h"

#include "frames.h"

#include "options.h"
#include "traces.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/*
 * The module's path.  The loader knows the main program by the name it
 * was run as ("./prog"), which stops being right if the program changes
 * directory: use its absolute path instead.
 */
static void
put_module(struct fmt *out, const char *name)
{
    if (name[0] != '/') {
        char exe[1024];
        ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (len > 0) {
            fmt_mem(out, exe, (size_t)len);
            return;
        }
    }
    fmt_str(out, name);
}

static void
put_frame(struct fmt *out, size_t n, uintptr_t pc)
{
    fmt_str(out, "  #");
    fmt_dec(out, n);
    fmt_str(out, " ");
    fmt_ptr(out, (void *)pc);
    fmt_str(out, " in ");
    Dl_info info;
    /* pc is a return address: look up the call, one byte before it. */
    if (dladdr((void *)(pc - 1), &info) && info.dli_fname) {
        if (info.dli_sname && info.dli_saddr) {
            fmt_str(out, info.dli_sname);
            fmt_str(out, "+0x");
            fmt_hex(out, pc - (uintptr_t)info.dli_saddr);
        } else {
            fmt_str(out, "??");
        }
        fmt_str(out, " (");
        put_module(out, info.dli_fname);
        fmt_str(out, "+0x");
        fmt_hex(out, pc - (uintptr_t)info.dli_fbase);
        fmt_str(out, ")\n");
    } else {
        fmt_str(out, "?? (unknown module)\n");
    }
}

void
frames_put_trace(struct fmt *out, const char *title, uint32_t id)
{
    fmt_str(out, title);
    fmt_str(out, " (most recent call first):\n");
    uintptr_t frames[TRACES_MAX_FRAMES];
    size_t n = traces_get(id, frames, TRACES_MAX_FRAMES);
    if (n == 0)
        fmt_str(out, options.frames == 0
                         ? "  (not recorded: --frames 0)\n"
                         : "  (not recorded: deadbyte was busy recording "
                           "another stack in this thread)\n");
    for (size_t i = 0; i < n; i++)
        put_frame(out, i, frames[i]);
    fmt_char(out, '\n');
}

/* Parse a hexadecimal number at *S, moving *S past it. */
static uintptr_t
parse_hex(const char **s)
{
    uintptr_t v = 0;
    for (;; (*s)++) {
        char c = **s;
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : -1;
        if (d < 0)
            return v;
        v = v * 16 + (uintptr_t)d;
    }
}

/* Describe the /proc/self/maps LINE if its range holds ADDR. */
static int
describe_line(struct fmt *out, const char *line, uintptr_t addr)
{
    const char *s = line;
    uintptr_t start = parse_hex(&s);
    if (*s++ != '-')
        return 0;
    uintptr_t end = parse_hex(&s);
    if (addr < start || addr >= end)
        return 0;
    const char *perms = s + 1;
    /* The path is the sixth field. */
    const char *path = s;
    for (int field = 0; field < 4 && path; field++) {
        path = strchr(path + 1, ' ');
    }
    while (path && *path == ' ')
        path++;
    if (!path || !*path) {
        fmt_str(out, "in memory of its own (an anonymous mapping, ");
        fmt_mem(out, perms, 4);
        fmt_str(out, ")");
    } else if (strncmp(path, "[stack]", 7) == 0) {
        fmt_str(out, "on the stack of the main thread");
    } else if (path[0] == '[') {
        fmt_str(out, "in ");
        fmt_str(out, path);
    } else {
        fmt_str(out, perms[2] == 'x' ? "in the code of " : "in the data of ");
        fmt_str(out, path);
    }
    return 1;
}

void
frames_put_where(struct fmt *out, uintptr_t addr)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    char buf[4096], line[512];
    size_t len = 0;
    int found = 0;
    ssize_t n;
    while (!found && fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n && !found; i++) {
            if (buf[i] != '\n') {
                if (len < sizeof line - 1)
                    line[len++] = buf[i];
                continue;
            }
            line[len] = '\0';
            found = describe_line(out, line, addr);
            len = 0;
        }
    }
    if (fd >= 0)
        close(fd);
    if (!found)
        fmt_str(out, "in no mapping of the process");
}
