/* SPDX-License-Identifier: MIT */
/*
 * symbolize.c -- file and line for the frames of a report, with elfutils'
 * libdw: it reads DWARF, follows inlined functions, and finds separate
 * debug files (/usr/lib/debug, build ids) as gdb does.  The process that
 * wrote the report may be dead; frames name their module and the offset
 * from its load address, so each module is opened afresh ("offline").
 */
#include "config.h"

#include "symbolize.h"

#include "frames.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * libdw (with libelf, zlib, liblzma and libbz2 behind it) is loaded the
 * first time a frame is to be symbolized, not when the launcher starts:
 * most runs have no report, and loading them cost every run a third of a
 * millisecond, and made the launcher's fork dearer.  The headers are the
 * ones configure found; the library is elfutils' libdw by its soname,
 * and libelf's functions come through it, from its dependencies.
 * Without it, frames stay as the process wrote them, with one line
 * saying so.
 */
#define LIBDW_SONAME "libdw.so.1"
#define LIBDW_FUNCTIONS(X)                                                     \
    X(dwarf_attr)                                                              \
    X(dwarf_attr_integrate)                                                    \
    X(dwarf_filesrc)                                                           \
    X(dwarf_formstring)                                                        \
    X(dwarf_formudata)                                                         \
    X(dwarf_getscopes)                                                         \
    X(dwarf_getscopes_die)                                                     \
    X(dwarf_getsrc_die)                                                        \
    X(dwarf_getsrcfiles)                                                       \
    X(dwarf_haspc)                                                             \
    X(dwarf_lineno)                                                            \
    X(dwarf_linesrc)                                                           \
    X(dwarf_tag)                                                               \
    X(dwfl_begin)                                                              \
    X(dwfl_build_id_find_elf)                                                  \
    X(dwfl_lineinfo)                                                           \
    X(dwfl_module_addrdie)                                                     \
    X(dwfl_module_addrname)                                                    \
    X(dwfl_module_getelf)                                                      \
    X(dwfl_module_getsrc)                                                      \
    X(dwfl_module_nextcu)                                                      \
    X(dwfl_offline_section_address)                                            \
    X(dwfl_report_begin)                                                       \
    X(dwfl_report_end)                                                         \
    X(dwfl_report_offline)                                                     \
    X(dwfl_standard_find_debuginfo)                                            \
    X(elf_getphdrnum)                                                          \
    X(gelf_getphdr)

#define LIBDW_POINTER(name) __typeof__(name) *name;
static struct {
    LIBDW_FUNCTIONS(LIBDW_POINTER)
} dw;

static Dwfl_Callbacks offline_callbacks;

/* Load libdw once; false (after one line on standard error) if it
 * cannot be: frames then stay as the process wrote them. */
static bool
load_libdw(void)
{
    static enum { NOT_TRIED, LOADED, FAILED } state = NOT_TRIED;
    if (state != NOT_TRIED)
        return state == LOADED;
    state = FAILED;
    void *handle = dlopen(LIBDW_SONAME, RTLD_LAZY | RTLD_LOCAL);
    const char *missing = NULL;
#define LIBDW_LOOK_UP(name)                                                    \
    if (handle && !missing &&                                                  \
        !(dw.name = (__typeof__(name) *)dlsym(handle, #name)))                 \
        missing = #name;
    LIBDW_FUNCTIONS(LIBDW_LOOK_UP)
#undef LIBDW_LOOK_UP
    if (!handle) {
        fprintf(stderr, "deadbyte: %s: frames are not symbolized\n",
                dlerror());
        return false;
    }
    if (missing) {
        fprintf(stderr, "deadbyte: %s has no %s: frames are not symbolized\n",
                LIBDW_SONAME, missing);
        return false;
    }
    offline_callbacks.find_elf = dw.dwfl_build_id_find_elf;
    offline_callbacks.find_debuginfo = dw.dwfl_standard_find_debuginfo;
    offline_callbacks.section_address = dw.dwfl_offline_section_address;
    state = LOADED;
    return true;
}

/* Modules opened so far: path -> (dwfl, module, address of offset 0). */
struct module {
    char *path;
    Dwfl *dwfl;
    Dwfl_Module *mod;
    Dwarf_Addr base; /* dwfl address of the module's load address */
};
static struct module *modules;
static size_t n_modules;

/* The lowest PT_LOAD address, page-aligned: the load address of the
 * module's first byte, which report offsets count from. */
static Dwarf_Addr
first_load_vaddr(Elf *elf)
{
    size_t n;
    if (dw.elf_getphdrnum(elf, &n) != 0)
        return 0;
    Dwarf_Addr lowest = (Dwarf_Addr)-1;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (dw.gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD &&
            ph.p_vaddr < lowest)
            lowest = ph.p_vaddr;
    }
    return lowest == (Dwarf_Addr)-1 ? 0 : lowest & ~(Dwarf_Addr)0xfff;
}

static struct module *
open_module(const char *path)
{
    for (size_t i = 0; i < n_modules; i++)
        if (strcmp(modules[i].path, path) == 0)
            return modules[i].mod ? &modules[i] : NULL;
    struct module *grown = realloc(modules, (n_modules + 1) * sizeof *modules);
    if (!grown)
        return NULL;
    modules = grown;
    struct module *m = &modules[n_modules++];
    memset(m, 0, sizeof *m);
    m->path = strdup(path);
    m->dwfl = dw.dwfl_begin(&offline_callbacks);
    if (!m->path || !m->dwfl)
        return NULL;
    dw.dwfl_report_begin(m->dwfl);
    m->mod = dw.dwfl_report_offline(m->dwfl, path, path, -1);
    dw.dwfl_report_end(m->dwfl, NULL, NULL);
    if (!m->mod)
        return NULL;
    Dwarf_Addr bias;
    Elf *elf = dw.dwfl_module_getelf(m->mod, &bias);
    if (!elf) {
        m->mod = NULL;
        return NULL;
    }
    m->base = first_load_vaddr(elf) + bias;
    return m;
}

/*
 * The compile unit holding ADDR.  libdw finds it through .debug_aranges,
 * which clang does not write (without -gdwarf-aranges): then ask each
 * unit whether its ranges hold the address.
 */
static Dwarf_Die *
unit_at(Dwfl_Module *mod, Dwarf_Addr addr, Dwarf_Addr *bias)
{
    Dwarf_Die *cu = dw.dwfl_module_addrdie(mod, addr, bias);
    if (cu)
        return cu;
    for (cu = dw.dwfl_module_nextcu(mod, NULL, bias); cu;
         cu = dw.dwfl_module_nextcu(mod, cu, bias))
        if (dw.dwarf_haspc(cu, addr - *bias) > 0)
            return cu;
    return NULL;
}

/* File and line of ADDR in CU (whose addresses are BIAS below ADDR's). */
static const char *
line_at(Dwfl_Module *mod, Dwarf_Die *cu, Dwarf_Addr addr, Dwarf_Addr bias,
        int *line)
{
    Dwfl_Line *dline = dw.dwfl_module_getsrc(mod, addr);
    if (dline)
        return dw.dwfl_lineinfo(dline, NULL, line, NULL, NULL, NULL);
    /* Found without .debug_aranges: read the unit's own line table. */
    Dwarf_Line *unit_line = dw.dwarf_getsrc_die(cu, addr - bias);
    if (!unit_line || dw.dwarf_lineno(unit_line, line) != 0)
        return NULL;
    return dw.dwarf_linesrc(unit_line, NULL, NULL);
}

/* The file name of DW_AT_call_file of DIE, in the line table of CU. */
static const char *
call_file(Dwarf_Die *cu, Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    Dwarf_Word index;
    Dwarf_Files *files;
    size_t n;
    if (!dw.dwarf_attr(die, DW_AT_call_file, &attr) ||
        dw.dwarf_formudata(&attr, &index) != 0 ||
        dw.dwarf_getsrcfiles(cu, &files, &n) != 0 || index >= n)
        return NULL;
    return dw.dwarf_filesrc(files, index, NULL, NULL);
}

static int
call_line(Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    Dwarf_Word line;
    if (!dw.dwarf_attr(die, DW_AT_call_line, &attr) ||
        dw.dwarf_formudata(&attr, &line) != 0)
        return 0;
    return (int)line;
}

/* The name of a subprogram or inlined subroutine (through its abstract
 * origin when it has none itself). */
static const char *
die_name(Dwarf_Die *die)
{
    Dwarf_Attribute attr;
    const char *name = NULL;
    if (dw.dwarf_attr_integrate(die, DW_AT_name, &attr))
        name = dw.dwarf_formstring(&attr);
    return name ? name : "??";
}

static void
put(FILE *out, int *number, const char *pc, const char *name,
    const char *file, int line)
{
    fprintf(out, "  #%d %s in %s", (*number)++, pc, name);
    if (file)
        fprintf(out, " %s:%d", file, line);
    fputc('\n', out);
}

/*
 * Print the frame(s) for ADDRESS in M: the innermost inlined function
 * first, then each caller it was inlined into, down to the real function.
 * ADDRESS is a return address, or with EXACT an instruction (one that
 * faulted).  False when there is no information at all for it.
 */
static bool
describe(struct module *m, Dwarf_Addr address, bool exact, const char *pc,
         int *number, FILE *out)
{
    /* A return address: what called is the byte before. */
    Dwarf_Addr addr = exact ? address : address - 1;
    /* The innermost scope at the address, then (as eu-addr2line -i does)
     * the chain of scopes from it outwards, through each inlined call. */
    Dwarf_Addr bias;
    Dwarf_Die *cu = unit_at(m->mod, addr, &bias);
    /* Line information only where a compile unit covers the address:
     * outside one (_start, say), the nearest line belongs to something
     * else. */
    const char *file = NULL;
    int line = 0;
    if (cu)
        file = line_at(m->mod, cu, addr, bias, &line);
    Dwarf_Die *scopes = NULL;
    int n = cu ? dw.dwarf_getscopes(cu, addr - bias, &scopes) : 0;
    if (n > 0) {
        Dwarf_Die innermost = scopes[0];
        free(scopes);
        scopes = NULL;
        n = dw.dwarf_getscopes_die(&innermost, &scopes);
    }
    bool printed = false;
    for (int i = 0; i < n; i++) {
        int tag = dw.dwarf_tag(&scopes[i]);
        if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
            continue;
        put(out, number, pc, die_name(&scopes[i]), file, line);
        printed = true;
        if (tag == DW_TAG_subprogram)
            break;
        file = call_file(cu, &scopes[i]);
        line = call_line(&scopes[i]);
    }
    free(scopes);
    if (!printed) {
        /* No function of the debug information holds the address (code
         * without it, like _start): its nearest line would be another
         * function's, so give the symbol alone. */
        const char *name = dw.dwfl_module_addrname(m->mod, addr);
        if (!name)
            return false;
        put(out, number, pc, name, NULL, 0);
    }
    return true;
}

/* Frame numbers restart with every traceback: a line that is not a
 * frame ends one. */
static int next_number;

void
symbolize_line(const char *line, FILE *out)
{
    int number;
    char pc[32];
    int consumed = 0;
    if (sscanf(line, "  #%d %31s in %n", &number, pc, &consumed) != 2 ||
        consumed == 0) {
        next_number = 0;
        fputs(line, out);
        return;
    }
    /* "(module+0xOFFSET)" at the end of the line. */
    const char *open = strrchr(line, '(');
    const char *plus = open ? strstr(open, "+0x") : NULL;
    const char *close = plus ? strchr(plus, ')') : NULL;
    if (!close) {
        next_number++;
        fputs(line, out);
        return;
    }
    char path[4096];
    size_t len = (size_t)(plus - open - 1);
    if (len >= sizeof path) {
        fputs(line, out);
        return;
    }
    memcpy(path, open + 1, len);
    path[len] = '\0';
    Dwarf_Addr offset = strtoull(plus + 3, NULL, 16);
    /* The instruction that faulted, not a return address (frames.h). */
    bool exact = strncmp(close + 1, FRAMES_FAULT_MARK,
                         strlen(FRAMES_FAULT_MARK)) == 0;
    struct module *m = load_libdw() ? open_module(path) : NULL;
    int renumbered = next_number;
    if (m && describe(m, m->base + offset, exact, pc, &renumbered, out)) {
        next_number = renumbered;
        return;
    }
    /* No debug information: keep what the process wrote, renumbered. */
    fprintf(out, "  #%d%s", next_number++, strchr(line + 3, ' '));
}

int
symbolize_stream(FILE *in, FILE *out)
{
    char line[8192];
    next_number = 0;
    while (fgets(line, sizeof line, in))
        symbolize_line(line, out);
    return ferror(in) ? 1 : 0;
}
