/* SPDX-License-Identifier: MIT */
/*
 * cfi.h -- how to step from a frame to its caller on x86-64, read from the
 * DWARF call frame information (.eh_frame, found through .eh_frame_hdr) of
 * the module that holds the code, reduced to what libunwind's fast trace
 * (unw_backtrace) keeps of a frame: the caller's CFA is RSP or RBP plus a
 * constant, the return address is at CFA-8, RBP is kept or saved at
 * CFA+constant.  Any other frame is "unsupported": the caller then leaves
 * the stack to libunwind.  No malloc, no lock but the loader's (through
 * dl_iterate_phdr, as libunwind itself takes it).
 */
#ifndef DEADBYTE_CFI_H
#define DEADBYTE_CFI_H

#include <stdbool.h>
#include <stdint.h>

enum cfi_kind {
    CFI_UNKNOWN = 0,     /* never a rule: "not looked up yet" */
    CFI_STANDARD = 1,    /* step with the fields below */
    CFI_LAST = 2,        /* the outermost frame: the unwind ends here */
    CFI_UNSUPPORTED = 3, /* anything else (no CFI, signal frame, ...) */
};

struct cfi_rule {
    enum cfi_kind kind;
    bool cfa_on_rbp;  /* CFA = RBP + cfa_offset, else RSP + cfa_offset */
    bool rbp_saved;   /* the caller's RBP is at CFA + rbp_offset */
    int32_t cfa_offset;
    int16_t rbp_offset;
};

/*
 * The rule of the frame whose code is at PC, a return address (so, as
 * libunwind does, the row of PC - 1, inside the call instruction).
 */
struct cfi_rule cfi_rule_of(uintptr_t pc);

/* A rule in one word (never 0) and back. */
static inline uint64_t
cfi_pack(struct cfi_rule rule)
{
    return (uint64_t)rule.kind | (uint64_t)rule.cfa_on_rbp << 2 |
           (uint64_t)rule.rbp_saved << 3 |
           (uint64_t)(uint16_t)rule.rbp_offset << 16 |
           (uint64_t)(uint32_t)rule.cfa_offset << 32;
}

static inline struct cfi_rule
cfi_unpack(uint64_t word)
{
    struct cfi_rule rule;
    rule.kind = (enum cfi_kind)(word & 3);
    rule.cfa_on_rbp = (word >> 2) & 1;
    rule.rbp_saved = (word >> 3) & 1;
    rule.rbp_offset = (int16_t)(uint16_t)(word >> 16);
    rule.cfa_offset = (int32_t)(uint32_t)(word >> 32);
    return rule;
}

#endif
