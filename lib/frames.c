/* SPDX-License-Identifier: MIT */
/*
 * frames.c -- tracebacks for reports.  Function names come from dladdr()
 * (the dynamic symbol table: exported functions only); file and line are
 * the launcher's job, from "module+0xoffset" -- the offset from the
 * module's load address, so it stays true after the process died.
 * dladdr() takes the loader's lock, which is recursive: the failing thread
 * may hold it already.  A thread in dlopen() that holds it may be waiting
 * for one of deadbyte's own locks, so none of those may be held here.
 */
#include "config.h"

#include "frames.h"

#include "maps.h"
#include "options.h"
#include "traces.h"

#include <dlfcn.h>
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

/* The line that stands for a traceback that was not kept. */
static const char *
why_not_recorded(uint32_t id)
{
    switch (id) {
    case TRACES_BUSY:
        return "  (not recorded: deadbyte was busy recording another stack "
               "in this thread)\n";
    case TRACES_NO_FRAMES:
        return "  (not recorded: libunwind found no frames to record)\n";
    case TRACES_NO_MEMORY:
        return "  (not recorded: deadbyte ran out of memory for its store "
               "of stacks)\n";
    case TRACES_FULL:
        return "  (not recorded: deadbyte's store of stacks is full)\n";
    default:
        return options.frames == 0 ? "  (not recorded: --frames 0)\n"
                                   : "  (not recorded)\n";
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
        fmt_str(out, why_not_recorded(id));
    for (size_t i = 0; i < n; i++)
        put_frame(out, i, frames[i]);
    fmt_char(out, '\n');
}

struct where {
    struct fmt *out;
    uintptr_t addr;
    bool found;
};

/* Describe the mapping if it holds the address; stop there. */
static bool
describe(const struct mapping *m, void *arg)
{
    struct where *w = arg;
    if (w->addr < m->start || w->addr >= m->end)
        return true;
    w->found = true;
    if (!*m->path) {
        fmt_str(w->out, "in memory of its own (an anonymous mapping, ");
        fmt_str(w->out, m->perms);
        fmt_str(w->out, ")");
    } else if (strcmp(m->path, "[stack]") == 0) {
        fmt_str(w->out, "on the stack of the main thread");
    } else if (m->path[0] == '[') {
        fmt_str(w->out, "in ");
        fmt_str(w->out, m->path);
    } else {
        fmt_str(w->out, m->perms[2] == 'x' ? "in the code of "
                                           : "in the data of ");
        fmt_str(w->out, m->path);
    }
    return false;
}

void
frames_put_where(struct fmt *out, uintptr_t addr)
{
    struct where w = {out, addr, false};
    maps_for_each(describe, &w);
    if (!w.found)
        fmt_str(out, "in no mapping of the process");
}
