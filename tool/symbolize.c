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
    X(dwarf_linecol)                                                           \
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
        int *line, int *column)
{
    Dwfl_Line *dline = dw.dwfl_module_getsrc(mod, addr);
    if (dline)
        return dw.dwfl_lineinfo(dline, NULL, line, column, NULL, NULL);
    /* Found without .debug_aranges: read the unit's own line table. */
    Dwarf_Line *unit_line = dw.dwarf_getsrc_die(cu, addr - bias);
    if (!unit_line || dw.dwarf_lineno(unit_line, line) != 0)
        return NULL;
    if (dw.dwarf_linecol(unit_line, column) != 0)
        *column = 0;
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

/* DW_AT_call_line or DW_AT_call_column of DIE; 0 when it has none. */
static int
call_number(Dwarf_Die *die, unsigned int name)
{
    Dwarf_Attribute attr;
    Dwarf_Word value;
    if (!dw.dwarf_attr(die, name, &attr) ||
        dw.dwarf_formudata(&attr, &value) != 0)
        return 0;
    return (int)value;
}

/*
 * C++ names are demangled with the C++ runtime's own __cxa_demangle,
 * loaded (as libdw is) the first time a mangled name comes: a launcher
 * that only meets C never loads it.  Without it, names stay as
 * DW_AT_name has them, unqualified.
 */
typedef char *cxa_demangle_fn(const char *mangled, char *out, size_t *len,
                              int *status);

static cxa_demangle_fn *
load_demangler(void)
{
    static enum { NOT_TRIED, LOADED, FAILED } state = NOT_TRIED;
    static cxa_demangle_fn *cxa_demangle;
    if (state == NOT_TRIED) {
        state = FAILED;
        void *handle = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
        void *sym = handle ? dlsym(handle, "__cxa_demangle") : NULL;
        if (sym) {
            /* POSIX's way from a data pointer to a function pointer. */
            memcpy(&cxa_demangle, &sym, sizeof cxa_demangle);
            state = LOADED;
        }
    }
    return state == LOADED ? cxa_demangle : NULL;
}

/* NAME demangled (malloc'd), or NULL if it is not a C++ mangled name or
 * cannot be demangled. */
static char *
demangle(const char *name)
{
    if (!name || strncmp(name, "_Z", 2) != 0)
        return NULL;
    cxa_demangle_fn *fn = load_demangler();
    int status = -1;
    char *out = fn ? fn(name, NULL, NULL, &status) : NULL;
    if (status != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* NAME demangled if it is a C++ one, else a copy; malloc'd. */
static char *
demangled_or_copy(const char *name)
{
    char *d = demangle(name);
    return d ? d : strdup(name);
}

/*
 * The name of a subprogram or inlined subroutine, malloc'd: for C++ the
 * linkage name demangled, which is qualified (store::Buffer<char>::fill
 * (char)); else DW_AT_name.  Both through the abstract origin of an
 * inlined or out-of-line instance, and the declaration it specifies
 * (dwarf_attr_integrate follows both).  NULL when it has neither.
 */
static char *
die_name(Dwarf_Die *die)
{
    static const unsigned int linkage[] = {DW_AT_linkage_name,
                                           DW_AT_MIPS_linkage_name};
    Dwarf_Attribute attr;
    for (size_t i = 0; i < sizeof linkage / sizeof linkage[0]; i++) {
        if (!dw.dwarf_attr_integrate(die, linkage[i], &attr))
            continue;
        char *d = demangle(dw.dwarf_formstring(&attr));
        if (d)
            return d;
    }
    const char *name = NULL;
    if (dw.dwarf_attr_integrate(die, DW_AT_name, &attr))
        name = dw.dwarf_formstring(&attr);
    return name ? strdup(name) : NULL;
}

/* Symbols under construction; false when out of memory. */
struct symbols {
    struct symbol *list;
    size_t n;
};

static bool
add_symbol(struct symbols *s, char *function, const char *file, int line,
           int column)
{
    struct symbol *grown = realloc(s->list, (s->n + 1) * sizeof *grown);
    char *file_copy = file ? strdup(file) : NULL;
    if (!grown || !function || (file && !file_copy)) {
        if (grown)
            s->list = grown;
        free(function);
        free(file_copy);
        return false;
    }
    s->list = grown;
    s->list[s->n++] = (struct symbol){function, file_copy, file ? line : 0,
                                      file ? column : 0};
    return true;
}

/*
 * The function(s) at ADDRESS in M: the innermost inlined function first,
 * then each caller it was inlined into, down to the real function.
 * ADDRESS is a return address, or with EXACT an instruction (one that
 * faulted).  FALLBACK is the name the process found (dladdr), for a
 * function the debug information does not name.  None when there is no
 * information at all for it.
 */
static struct symbols
describe(struct module *m, Dwarf_Addr address, bool exact,
         const char *fallback)
{
    struct symbols out = {NULL, 0};
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
    int line = 0, column = 0;
    if (cu)
        file = line_at(m->mod, cu, addr, bias, &line, &column);
    Dwarf_Die *scopes = NULL;
    int n = cu ? dw.dwarf_getscopes(cu, addr - bias, &scopes) : 0;
    if (n > 0) {
        Dwarf_Die innermost = scopes[0];
        free(scopes);
        scopes = NULL;
        n = dw.dwarf_getscopes_die(&innermost, &scopes);
    }
    for (int i = 0; i < n; i++) {
        int tag = dw.dwarf_tag(&scopes[i]);
        if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram)
            continue;
        char *name = die_name(&scopes[i]);
        if (!name)
            name = demangled_or_copy(fallback && *fallback ? fallback : "??");
        if (!add_symbol(&out, name, file, line, column))
            break;
        if (tag == DW_TAG_subprogram)
            break;
        file = call_file(cu, &scopes[i]);
        line = call_number(&scopes[i], DW_AT_call_line);
        column = call_number(&scopes[i], DW_AT_call_column);
    }
    free(scopes);
    if (out.n == 0) {
        /* No function of the debug information holds the address (code
         * without it, like _start): its nearest line would be another
         * function's, so give the symbol alone. */
        const char *name = dw.dwfl_module_addrname(m->mod, addr);
        if (name)
            add_symbol(&out, demangled_or_copy(name), NULL, 0, 0);
    }
    return out;
}

/* The symbols found so far, by module, offset and whether the address
 * is exact: a traceback's frames come again and again (leak groups). */
struct cached {
    struct cached *next;
    char *module;
    uint64_t offset;
    bool exact;
    struct symbols symbols;
};
#define CACHE_BUCKETS 1024
static struct cached *cache[CACHE_BUCKETS];

static size_t
cache_bucket(const char *module, uint64_t offset, bool exact)
{
    uint64_t h = 1469598103934665603u;
    for (const unsigned char *s = (const unsigned char *)module; *s; s++)
        h = (h ^ *s) * 1099511628211u;
    h = (h ^ offset) * 1099511628211u;
    h ^= exact;
    return (size_t)(h % CACHE_BUCKETS);
}

size_t
symbolize_frame(const char *module, uint64_t offset, bool exact,
                const char *fallback, const struct symbol **symbols)
{
    *symbols = NULL;
    if (!module || !*module)
        return 0;
    size_t b = cache_bucket(module, offset, exact);
    for (struct cached *c = cache[b]; c; c = c->next)
        if (c->offset == offset && c->exact == exact &&
            strcmp(c->module, module) == 0) {
            *symbols = c->symbols.list;
            return c->symbols.n;
        }
    struct module *m = load_libdw() ? open_module(module) : NULL;
    struct symbols found = {NULL, 0};
    if (m)
        found = describe(m, m->base + offset, exact, fallback);
    struct cached *c = malloc(sizeof *c);
    char *copy = strdup(module);
    if (!c || !copy) {
        free(c);
        free(copy);
        for (size_t i = 0; i < found.n; i++) {
            free(found.list[i].function);
            free(found.list[i].file);
        }
        free(found.list);
        return 0;
    }
    *c = (struct cached){cache[b], copy, offset, exact, found};
    cache[b] = c;
    *symbols = found.list;
    return found.n;
}

void
records_symbolize(struct report_file *file)
{
    for (size_t i = 0; i < file->n_records; i++) {
        struct record *r = &file->records[i];
        for (size_t k = 0; k < r->n_traces; k++) {
            struct trace *t = r->traces[k];
            for (size_t j = 0; j < t->n_frames; j++) {
                struct frame *f = &t->frames[j];
                f->n_symbols = symbolize_frame(f->module, f->offset, f->fault,
                                               f->symbol, &f->symbols);
            }
        }
    }
}

void
symbolize_put(FILE *out, int number, const char *pc,
              const struct symbol *symbol)
{
    fprintf(out, "  #%d %s in %s", number, pc, symbol->function);
    if (symbol->file)
        fprintf(out, " %s:%d", symbol->file, symbol->line);
    fputc('\n', out);
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
    /* The name before "+0x" in "in f+0x1a (": the process's dladdr(). */
    char fallback[1024] = "";
    const char *name = line + consumed;
    size_t name_len = strcspn(name, "+ ");
    if (name_len < sizeof fallback && strncmp(name, "??", 2) != 0) {
        memcpy(fallback, name, name_len);
        fallback[name_len] = '\0';
    }
    const struct symbol *symbols;
    size_t n = symbolize_frame(path, offset, exact, fallback, &symbols);
    if (n > 0) {
        for (size_t i = 0; i < n; i++)
            symbolize_put(out, next_number++, pc, &symbols[i]);
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

void
symbolize_restart(void)
{
    next_number = 0;
}
