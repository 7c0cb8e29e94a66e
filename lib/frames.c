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
#include "safe_read.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
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
    uintptr_t id_base; /* the module whose build ID is below; 0: none */
    char build_id[41]; /* hexadecimal, "" when it has none */
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
 * The GNU build ID of the module that holds PC, from its PT_NOTE
 * segments as they are mapped: what lets the launcher tell a module
 * rebuilt since the process ran from the one it ran.
 */
struct build_id_search {
    uintptr_t pc;
    char *hex; /* 41 bytes */
};

static int
find_build_id(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct build_id_search *search = arg;
    bool holds = false;
    for (size_t i = 0; i < info->dlpi_phnum && !holds; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        holds = ph->p_type == PT_LOAD && search->pc >= start &&
                search->pc - start < ph->p_memsz;
    }
    if (!holds)
        return 0;
    for (size_t i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const unsigned char *note =
            (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        const unsigned char *end = note + ph->p_memsz;
        while (note + sizeof(ElfW(Nhdr)) <= end) {
            ElfW(Nhdr) nh;
            if (!safe_read(&nh, note, sizeof nh))
                return 1;
            const unsigned char *name = note + sizeof nh;
            const unsigned char *desc = name + ((nh.n_namesz + 3) & ~3u);
            const unsigned char *next = desc + ((nh.n_descsz + 3) & ~3u);
            if (next > end)
                break;
            unsigned char id[20];
            if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
                memcmp(name, "GNU", 4) == 0 && nh.n_descsz <= sizeof id &&
                safe_read(id, desc, nh.n_descsz)) {
                static const char digits[] = "0123456789abcdef";
                for (size_t k = 0; k < nh.n_descsz; k++) {
                    search->hex[2 * k] = digits[id[k] >> 4];
                    search->hex[2 * k + 1] = digits[id[k] & 0xf];
                }
                search->hex[2 * nh.n_descsz] = '\0';
                return 1;
            }
            note = next;
        }
    }
    return 1;
}

static const char *
build_id_of(const Dl_info *info, uintptr_t pc, struct module_name *cache)
{
    uintptr_t base = (uintptr_t)info->dli_fbase;
    if (cache->id_base != base) {
        cache->build_id[0] = '\0';
        struct build_id_search search = {pc, cache->build_id};
        dl_iterate_phdr(find_build_id, &search);
        cache->id_base = base;
    }
    return cache->build_id;
}

/*
 * The frame as a record's item (record.h): "frame PC MODULE OFFSET
 * BUILD-ID SYMBOL SYMBOL-OFFSET FLAGS".
 */
static void
put_frame_item(struct fmt *out, uintptr_t pc, bool exact,
               struct module_name *cache)
{
    Dl_info info;
    uintptr_t at = exact ? pc : pc - 1;
    bool found = dladdr((void *)at, &info) && info.dli_fname;
    fmt_str(out, "frame\t0x");
    fmt_hex(out, pc);
    fmt_char(out, '\t');
    out->escape = true;
    if (found)
        put_module(out, &info, at, cache);
    out->escape = false;
    fmt_str(out, "\t0x");
    fmt_hex(out, found ? pc - (uintptr_t)info.dli_fbase : 0);
    fmt_char(out, '\t');
    if (found)
        fmt_str(out, build_id_of(&info, at, cache));
    fmt_char(out, '\t');
    bool named = found && info.dli_sname && info.dli_saddr;
    out->escape = true;
    if (named)
        fmt_str(out, info.dli_sname);
    out->escape = false;
    fmt_str(out, "\t0x");
    fmt_hex(out, named ? pc - (uintptr_t)info.dli_saddr : 0);
    fmt_str(out, exact ? "\tfault\n" : "\t\n");
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
why_not_recorded(enum frames_missing why)
{
    switch (why) {
    case FRAMES_BUSY:
        return "  (not recorded: deadbyte was busy recording another stack "
               "in this thread)\n";
    case FRAMES_NONE_FOUND:
        return "  (not recorded: libunwind found no frames to record)\n";
    case FRAMES_NO_MEMORY:
        return "  (not recorded: deadbyte ran out of memory for its store "
               "of stacks)\n";
    case FRAMES_FULL:
        return "  (not recorded: deadbyte's store of stacks is full)\n";
    case FRAMES_NOT_RECORDED:
        break;
    }
    return options.frames == 0 ? "  (not recorded: --frames 0)\n"
                               : "  (not recorded)\n";
}

void
frames_put_trace(struct writer *w, const char *role, const char *title,
                 const uintptr_t *frames, size_t n, bool from_fault,
                 enum frames_missing why)
{
    struct fmt *out = &w->out;
    struct module_name cache = {0, "", 0, ""};
    if (!w->records) {
        fmt_str(out, title);
        fmt_str(out, " (most recent call first):\n");
        if (n == 0)
            fmt_str(out, why_not_recorded(why));
        for (size_t i = 0; i < n; i++)
            put_frame(out, i, frames[i], i == 0 && from_fault, &cache);
        fmt_char(out, '\n');
        return;
    }
    fmt_str(out, "trace\t");
    fmt_str(out, role);
    fmt_char(out, '\t');
    out->escape = true;
    fmt_str(out, title);
    out->escape = false;
    fmt_char(out, '\n');
    if (n == 0) {
        /* "  (not recorded: WHY)\n": the WHY. */
        const char *line = why_not_recorded(why);
        const char *words = line + sizeof "  (not recorded: " - 1;
        fmt_str(out, "unrecorded\t");
        fmt_mem(out, words, strlen(words) - sizeof ")\n" + 1);
        fmt_char(out, '\n');
    }
    for (size_t i = 0; i < n; i++)
        put_frame_item(out, frames[i], i == 0 && from_fault, &cache);
    fmt_str(out, "trace-end\n");
}
