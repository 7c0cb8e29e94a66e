/* SPDX-License-Identifier: MIT */
/*
 * cfi.c -- the rule of one frame, from the module's .eh_frame.
 *
 * The search is libunwind's: dl_iterate_phdr finds the module whose
 * PT_LOAD holds the address, its PT_GNU_EH_FRAME gives the sorted table
 * of FDEs, a binary search gives the last FDE starting at or below the
 * address, which must cover it.  The CIE's initial instructions, then the
 * FDE's up to the address, give the row; the row is then judged by the
 * conditions under which libunwind's x86-64 fast trace (tdep_trace, fed by
 * tdep_stash_frame) treats a frame as standard, and by those under which
 * its unw_step ends the stack (an undefined return address or RBP).  What
 * libunwind would refuse, or walk another way (registers above RIP, which
 * its parser rejects; expressions; a signal frame; an unknown opcode; an
 * FDE found only in .debug_frame), is unsupported, never guessed.
 */
#include "config.h"

#include "cfi.h"

#include <link.h>
#include <stddef.h>
#include <string.h>

#if defined(__x86_64__)

/* DWARF register numbers on x86-64, and libunwind's count of them. */
enum { REG_RBP_ = 6, REG_RSP_ = 7, REG_RA = 16, NREGS = 17 };

enum where { SAME = 0, UNDEF, CFAREL, OTHER };

struct row {
    bool cfa_expr;
    uint64_t cfa_reg;
    int64_t cfa_offset;
    unsigned char where[NREGS];
    int64_t offset[NREGS];
};

/* remember_state nesting kept; deeper is unsupported (GCC uses 1). */
#define STATES 8

static uint64_t
uleb(const unsigned char **p)
{
    uint64_t value = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        unsigned char byte = *(*p)++;
        value |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return value;
    }
    return value;
}

static int64_t
sleb(const unsigned char **p)
{
    int64_t value = 0;
    unsigned shift = 0;
    unsigned char byte;
    do {
        byte = *(*p)++;
        if (shift < 64)
            value |= (int64_t)((uint64_t)(byte & 0x7f) << shift);
        shift += 7;
    } while (byte & 0x80);
    if (shift < 64 && (byte & 0x40))
        value = (int64_t)((uint64_t)value | ~(uint64_t)0 << shift);
    return value;
}

/* DW_EH_PE_* */
#define PE_OMIT 0xff
#define PE_INDIRECT 0x80

/*
 * A value in encoding ENC at *P (advanced past it); DATAREL is the base
 * of datarel values.  False for an encoding this file does not read.
 */
static bool
encoded(const unsigned char **p, unsigned char enc, uintptr_t datarel,
        uintptr_t *out)
{
    const unsigned char *at = *p;
    uint64_t value;
    switch (enc & 0x0f) {
    case 0x00: /* absptr */
    case 0x04: /* udata8 */
    case 0x0c: /* sdata8 */
        memcpy(&value, at, 8);
        *p += 8;
        break;
    case 0x01:
        value = uleb(p);
        break;
    case 0x09:
        value = (uint64_t)sleb(p);
        break;
    case 0x02: {
        uint16_t v;
        memcpy(&v, at, 2);
        value = v;
        *p += 2;
        break;
    }
    case 0x0a: {
        int16_t v;
        memcpy(&v, at, 2);
        value = (uint64_t)(int64_t)v;
        *p += 2;
        break;
    }
    case 0x03: {
        uint32_t v;
        memcpy(&v, at, 4);
        value = v;
        *p += 4;
        break;
    }
    case 0x0b: {
        int32_t v;
        memcpy(&v, at, 4);
        value = (uint64_t)(int64_t)v;
        *p += 4;
        break;
    }
    default:
        return false;
    }
    switch (enc & 0x70) {
    case 0x00:
        break;
    case 0x10: /* pcrel */
        value += (uintptr_t)at;
        break;
    case 0x30: /* datarel */
        value += datarel;
        break;
    default:
        return false;
    }
    *out = (uintptr_t)value;
    return true;
}

struct search {
    uintptr_t pc;
    const unsigned char *hdr; /* .eh_frame_hdr of the module, or NULL */
    bool found;
};

static int
find_module(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    struct search *s = arg;
    const unsigned char *hdr = NULL;
    bool holds = false;
    for (size_t i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && s->pc >= start &&
            s->pc - start < ph->p_memsz)
            holds = true;
        else if (ph->p_type == PT_GNU_EH_FRAME)
            hdr = (const unsigned char *)start;
    }
    if (!holds)
        return 0;
    s->found = true;
    s->hdr = hdr;
    return 1;
}

/* Entry I of the table at TABLE of HDR, as an address. */
static uintptr_t
table_at(const unsigned char *hdr, const unsigned char *table, size_t i)
{
    int32_t value;
    memcpy(&value, table + 4 * i, 4);
    return (uintptr_t)hdr + (uintptr_t)(intptr_t)value;
}

/* The FDE of PC from the table of HDR, or NULL. */
static const unsigned char *
fde_of(const unsigned char *hdr, uintptr_t pc)
{
    if (hdr[0] != 1 || hdr[1] == PE_OMIT || hdr[2] == PE_OMIT ||
        hdr[3] != 0x3b) /* datarel sdata4: what every linker writes */
        return NULL;
    const unsigned char *p = hdr + 4;
    uintptr_t ignored, count;
    if (!encoded(&p, hdr[1], (uintptr_t)hdr, &ignored) ||
        !encoded(&p, hdr[2], (uintptr_t)hdr, &count) || count == 0)
        return NULL;
    /* Pairs of (start, FDE), sorted by start, both from HDR. */
    size_t lo = 0, hi = count; /* the answer is in [lo, hi) */
    if (table_at(hdr, p, 0) > pc)
        return NULL;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (table_at(hdr, p, 2 * mid) <= pc)
            lo = mid;
        else
            hi = mid;
    }
    return (const unsigned char *)table_at(hdr, p, 2 * lo + 1);
}

struct cie {
    const unsigned char *insns, *end;
    uint64_t code_align;
    int64_t data_align;
    unsigned char fde_enc;
    bool augmented;
};

static bool
read_cie(const unsigned char *p, struct cie *cie)
{
    uint32_t length, id;
    memcpy(&length, p, 4);
    if (length == 0 || length == 0xffffffffu)
        return false;
    cie->end = p + 4 + length;
    memcpy(&id, p + 4, 4);
    if (id != 0)
        return false;
    p += 8;
    unsigned version = *p++;
    if (version != 1 && version != 3)
        return false;
    const char *aug = (const char *)p;
    p += strlen(aug) + 1;
    cie->code_align = uleb(&p);
    cie->data_align = sleb(&p);
    uint64_t ra = version == 1 ? *p++ : uleb(&p);
    if (ra != REG_RA)
        return false;
    cie->fde_enc = 0; /* absptr */
    cie->augmented = aug[0] == 'z';
    if (aug[0] == '\0') {
        cie->insns = p;
        return true;
    }
    if (!cie->augmented)
        return false;
    uint64_t len = uleb(&p);
    const unsigned char *after = p + len;
    for (const char *a = aug + 1; *a; a++) {
        uintptr_t ignored;
        switch (*a) {
        case 'R':
            cie->fde_enc = *p++;
            break;
        case 'L':
            p++;
            break;
        case 'P': {
            unsigned char enc = *p++;
            if (!encoded(&p, enc & ~PE_INDIRECT, 0, &ignored))
                return false;
            break;
        }
        default: /* 'S' (a signal frame) and the unknown */
            return false;
        }
    }
    cie->insns = after;
    return true;
}

/* FACTOR times ALIGN, wrapping (garbage CFI must not be undefined). */
static int64_t
scaled(uint64_t factor, int64_t align)
{
    return (int64_t)(factor * (uint64_t)align);
}

static bool
set_reg(struct row *row, uint64_t reg, enum where where, int64_t offset)
{
    if (reg >= NREGS)
        return false; /* libunwind rejects the whole frame too */
    row->where[reg] = (unsigned char)where;
    row->offset[reg] = offset;
    return true;
}

/*
 * Run the instructions [P, END) from location LOC while the location is
 * at or below PC (the loop of libunwind's run_cfi_program).  INITIAL is
 * the row after the CIE, for DW_CFA_restore.  False for anything
 * unsupported.
 */
static bool
run(const unsigned char *p, const unsigned char *end, uintptr_t loc,
    uintptr_t pc, const struct cie *cie, const struct row *initial,
    struct row *row)
{
    struct row saved[STATES];
    size_t depth = 0;
    while (p < end && loc <= pc) {
        unsigned char op = *p++;
        uint64_t reg;
        switch (op >> 6) {
        case 1: /* advance_loc */
            loc += (op & 0x3f) * cie->code_align;
            continue;
        case 2: /* offset */
            if (!set_reg(row, op & 0x3f, CFAREL,
                         scaled(uleb(&p), cie->data_align)))
                return false;
            continue;
        case 3: /* restore */
            reg = op & 0x3f;
            if (reg >= NREGS)
                return false;
            row->where[reg] = initial->where[reg];
            row->offset[reg] = initial->offset[reg];
            continue;
        }
        switch (op) {
        case 0x00: /* nop */
        case 0x2e: /* GNU_args_size */
            if (op)
                uleb(&p);
            break;
        case 0x02: /* advance_loc1 */
            loc += *p++ * cie->code_align;
            break;
        case 0x03: { /* advance_loc2 */
            uint16_t delta;
            memcpy(&delta, p, 2);
            p += 2;
            loc += delta * cie->code_align;
            break;
        }
        case 0x04: { /* advance_loc4 */
            uint32_t delta;
            memcpy(&delta, p, 4);
            p += 4;
            loc += delta * cie->code_align;
            break;
        }
        case 0x05: /* offset_extended */
            reg = uleb(&p);
            if (!set_reg(row, reg, CFAREL,
                         scaled(uleb(&p), cie->data_align)))
                return false;
            break;
        case 0x11: /* offset_extended_sf */
            reg = uleb(&p);
            if (!set_reg(row, reg, CFAREL,
                         scaled((uint64_t)sleb(&p), cie->data_align)))
                return false;
            break;
        case 0x2f: /* GNU_negative_offset_extended */
            reg = uleb(&p);
            if (!set_reg(row, reg, CFAREL,
                         scaled(-uleb(&p), cie->data_align)))
                return false;
            break;
        case 0x06: /* restore_extended */
            reg = uleb(&p);
            if (reg >= NREGS)
                return false;
            row->where[reg] = initial->where[reg];
            row->offset[reg] = initial->offset[reg];
            break;
        case 0x07: /* undefined */
            if (!set_reg(row, uleb(&p), UNDEF, 0))
                return false;
            break;
        case 0x08: /* same_value */
            if (!set_reg(row, uleb(&p), SAME, 0))
                return false;
            break;
        case 0x09: /* register */
            reg = uleb(&p);
            if (uleb(&p) >= NREGS || !set_reg(row, reg, OTHER, 0))
                return false;
            break;
        case 0x0a: /* remember_state */
            if (depth == STATES)
                return false;
            saved[depth++] = *row;
            break;
        case 0x0b: /* restore_state */
            if (depth == 0)
                return false;
            *row = saved[--depth];
            break;
        case 0x0c: /* def_cfa */
            row->cfa_expr = false;
            row->cfa_reg = uleb(&p);
            row->cfa_offset = (int64_t)uleb(&p);
            break;
        case 0x12: /* def_cfa_sf */
            row->cfa_expr = false;
            row->cfa_reg = uleb(&p);
            row->cfa_offset = scaled((uint64_t)sleb(&p), cie->data_align);
            break;
        case 0x0d: /* def_cfa_register */
            row->cfa_expr = false;
            row->cfa_reg = uleb(&p);
            break;
        case 0x0e: /* def_cfa_offset */
            row->cfa_offset = (int64_t)uleb(&p);
            break;
        case 0x13: /* def_cfa_offset_sf */
            row->cfa_offset = scaled((uint64_t)sleb(&p), cie->data_align);
            break;
        default:
            /* Expressions (0x0f, 0x10, 0x16), val_offset (0x14, 0x15),
             * set_loc (0x01) and anything else: left to libunwind. */
            return false;
        }
    }
    return true;
}

static struct cfi_rule
judge(const struct row *row)
{
    struct cfi_rule rule = {.kind = CFI_UNSUPPORTED};
    if (row->cfa_expr ||
        (row->cfa_reg != REG_RSP_ && row->cfa_reg != REG_RBP_) ||
        row->cfa_offset <= -(1 << 28) || row->cfa_offset >= (1 << 28))
        return rule;
    for (int reg = 0; reg < NREGS; reg++)
        if (row->where[reg] == OTHER &&
            (reg == REG_RA || reg == REG_RBP_ || reg == REG_RSP_))
            return rule;
    /* unw_step: an undefined return address or RBP ends the stack. */
    if (row->where[REG_RA] == UNDEF || row->where[REG_RBP_] == UNDEF) {
        rule.kind = CFI_LAST;
        return rule;
    }
    if (row->where[REG_RA] != CFAREL || row->offset[REG_RA] != -8)
        return rule;
    if (row->where[REG_RBP_] == CFAREL) {
        int64_t off = row->offset[REG_RBP_];
        if (off <= -(1 << 14) || off >= (1 << 14) || off == -1)
            return rule;
        rule.rbp_saved = true;
        rule.rbp_offset = (int16_t)off;
    }
    if (row->where[REG_RSP_] == CFAREL &&
        (row->offset[REG_RSP_] <= -(1 << 14) ||
         row->offset[REG_RSP_] >= (1 << 14) || row->offset[REG_RSP_] == -1))
        return rule;
    rule.kind = CFI_STANDARD;
    rule.cfa_on_rbp = row->cfa_reg == REG_RBP_;
    rule.cfa_offset = (int32_t)row->cfa_offset;
    return rule;
}

struct cfi_rule
cfi_rule_of(uintptr_t return_address)
{
    struct cfi_rule unsupported = {.kind = CFI_UNSUPPORTED};
    uintptr_t pc = return_address - 1;
    struct search s = {.pc = pc};
    dl_iterate_phdr(find_module, &s);
    if (!s.found || !s.hdr)
        return unsupported;
    const unsigned char *fde = fde_of(s.hdr, pc);
    if (!fde)
        return unsupported;
    uint32_t length, cie_offset;
    memcpy(&length, fde, 4);
    memcpy(&cie_offset, fde + 4, 4);
    if (length == 0 || length == 0xffffffffu || cie_offset == 0)
        return unsupported;
    const unsigned char *end = fde + 4 + length;
    struct cie cie;
    if (!read_cie(fde + 4 - cie_offset, &cie))
        return unsupported;
    const unsigned char *p = fde + 8;
    uintptr_t start, range;
    if (!encoded(&p, cie.fde_enc, 0, &start) ||
        !encoded(&p, cie.fde_enc & 0x0f, 0, &range))
        return unsupported;
    if (pc < start || pc - start >= range)
        return unsupported;
    if (cie.augmented) {
        uint64_t len = uleb(&p);
        p += len;
    }
    struct row row;
    memset(&row, 0, sizeof row); /* every register SAME, CFA unset */
    row.cfa_expr = true;         /* unset: unsupported unless defined */
    const struct row blank = row;
    if (!run(cie.insns, cie.end, 0, UINTPTR_MAX, &cie, &blank, &row))
        return unsupported;
    struct row initial = row;
    if (!run(p, end, start, pc, &cie, &initial, &row))
        return unsupported;
    return judge(&row);
}

#else /* !__x86_64__ */

struct cfi_rule
cfi_rule_of(uintptr_t return_address)
{
    (void)return_address;
    return (struct cfi_rule){.kind = CFI_UNSUPPORTED};
}

#endif
