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

#include "heap.h"
#include "maps.h"
#include "options.h"
#include "registry.h"
#include "traces.h"

#include <dlfcn.h>
#include <string.h>
#include <unistd.h>

/*
 * A module the loader knows by a relative name: the main program ("./prog",
 * as it was run) and libraries loaded by one (dlopen("./lib.so"), or found
 * through LD_LIBRARY_PATH=.).  That name means nothing once the program
 * changed directory, and nothing at all to the launcher: the kernel's name
 * of the mapped file, absolute, does.  Frames come in runs of one module,
 * so the last one found is kept, one per traceback.
 */
struct module_name {
    uintptr_t base; /* the module's load address; 0: none yet */
    char path[1024];
};

struct mapped_file {
    uintptr_t addr;
    struct module_name *name;
};

static bool
find_mapped_file(const struct mapping *m, void *arg)
{
    struct mapped_file *f = arg;
    if (f->addr < m->start || f->addr >= m->end)
        return true;
    size_t len = strlen(m->path);
    if (m->path[0] == '/' && len < sizeof f->name->path)
        memcpy(f->name->path, m->path, len + 1);
    return false;
}

static void
put_module(struct fmt *out, const Dl_info *info, uintptr_t pc,
           struct module_name *cache)
{
    if (info->dli_fname[0] == '/') {
        fmt_str(out, info->dli_fname);
        return;
    }
    uintptr_t base = (uintptr_t)info->dli_fbase;
    if (cache->base != base) {
        cache->path[0] = '\0';
        struct mapped_file f = {pc, cache};
        maps_for_each(find_mapped_file, &f);
        cache->base = cache->path[0] ? base : 0;
    }
    fmt_str(out, cache->path[0] ? cache->path : info->dli_fname);
}

/*
 * "  #N 0xPC in f+0x1a (module+0xOFFSET)".  PC is a return address, or
 * with EXACT the instruction itself, which faulted: then the line ends
 * with FRAMES_FAULT_MARK, so that the symbolizer looks up that
 * instruction, not the one before it.
 */
static void
put_frame(struct fmt *out, size_t n, uintptr_t pc, bool exact,
          struct module_name *cache)
{
    fmt_str(out, "  #");
    fmt_dec(out, n);
    fmt_str(out, " ");
    fmt_ptr(out, (void *)pc);
    fmt_str(out, " in ");
    Dl_info info;
    /* A return address: look up the call, one byte before it. */
    uintptr_t at = exact ? pc : pc - 1;
    if (dladdr((void *)at, &info) && info.dli_fname) {
        if (info.dli_sname && info.dli_saddr) {
            fmt_str(out, info.dli_sname);
            fmt_str(out, "+0x");
            fmt_hex(out, pc - (uintptr_t)info.dli_saddr);
        } else {
            fmt_str(out, "??");
        }
        fmt_str(out, " (");
        put_module(out, &info, at, cache);
        fmt_str(out, "+0x");
        fmt_hex(out, pc - (uintptr_t)info.dli_fbase);
        fmt_str(out, exact ? ")" FRAMES_FAULT_MARK "\n" : ")\n");
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
    struct module_name cache = {0, ""};
    bool from_fault = traces_from_fault(id);
    for (size_t i = 0; i < n; i++)
        put_frame(out, i, frames[i], i == 0 && from_fault, &cache);
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
    if (heap_owns(addr)) {
        /* Not in a block's data: the caller looked. */
        struct block_record block;
        if (block_containing(addr, &block)) {
            fmt_str(out, "in deadbyte's heap, outside the data of the ");
            fmt_dec(out, block.size);
            fmt_str(out, "-byte block at ");
            fmt_ptr(out, (const void *)block.p);
            fmt_str(out, block.freed ? " (freed)" : "");
        } else {
            fmt_str(out, "in deadbyte's heap, in no block (a block freed "
                         "and out of the quarantine, or none yet)");
        }
        return;
    }
    struct where w = {out, addr, false};
    maps_for_each(describe, &w);
    if (!w.found)
        fmt_str(out, "in no mapping of the process");
}
