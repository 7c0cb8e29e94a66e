/* SPDX-License-Identifier: MIT */
/*
 * heap_span.h -- the insides of deadbyte's heap that a reader in a hurry
 * needs: a span's header, the radix map from addresses to spans, and the
 * look-up of an address's slot (heap_slot_of, here inline).  heap.c owns
 * them; the checked C library calls (intercept.c) look an address up on
 * every call, where a function call was a good part of the cost.
 */
#ifndef DEADBYTE_HEAP_SPAN_H
#define DEADBYTE_HEAP_SPAN_H

#include "heap.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define LARGE_CLASS 0xffff
#define DIVIDER_SHIFT 40

struct heap_span {
    uintptr_t slots;    /* the first slot */
    size_t slot_size;
    uint64_t divider;   /* ceil(2^40 / slot_size): index by multiply-shift */
    struct heap_meta *meta;
    uint32_t nslots;
    uint16_t cls;       /* class, or LARGE_CLASS */
    bool listed;        /* on its class's list of spans with free slots */
    bool released;      /* empty, its pages given back */
    /* Under the class's lock: */
    uint32_t fresh;     /* slots from here on were never handed out */
    uint32_t free_head; /* the first free slot + 1; 0: none */
    uint32_t nfree;     /* free slots, fresh ones included */
    struct heap_span *next_listed;
    /* Every small span, newest first; set once, before publication. */
    struct heap_span *next_span;
    /* Large mappings: */
    uintptr_t map_start;
    size_t map_len;
    size_t large_size;
    struct heap_span *next_large; /* in use, free headers, or kept */
    struct heap_span *prev_large; /* in use: the one before, or NULL */
    struct heap_meta large_meta;
    bool pages;         /* from heap_pages(): kept for reuse when freed */
};

/* ---- The radix map: HEAP_SPAN_SIZE granules of 47 bits of address ------ */
#define ADDRESS_BITS 47
#define LEAF_BITS 15
#define ROOT_BITS (ADDRESS_BITS - HEAP_SPAN_BITS - LEAF_BITS)

typedef _Atomic(struct heap_span *) map_leaf[1u << LEAF_BITS];
extern _Atomic(map_leaf *) heap_map_root[1u << ROOT_BITS];

/* The span (or large mapping) of ADDR, or NULL: two loads. */
static inline struct heap_span *
span_of(uintptr_t addr)
{
    if (addr >> ADDRESS_BITS)
        return NULL;
    map_leaf *leaf =
        atomic_load_explicit(&heap_map_root[addr >> (HEAP_SPAN_BITS +
                                                     LEAF_BITS)],
                             memory_order_acquire);
    if (!leaf)
        return NULL;
    return atomic_load_explicit(
        &(*leaf)[(addr >> HEAP_SPAN_BITS) & ((1u << LEAF_BITS) - 1)],
        memory_order_acquire);
}

static inline uint32_t
slot_index(const struct heap_span *s, uintptr_t addr)
{
    return (uint32_t)(((uint64_t)(addr - s->slots) * s->divider) >>
                      DIVIDER_SHIFT);
}

/* heap_slot_of() (heap.h), inline. */
static inline bool
heap_span_slot_of(uintptr_t addr, struct heap_slot *out)
{
    struct heap_span *s = span_of(addr);
    if (!s || addr < s->slots)
        return false;
    if (s->cls == LARGE_CLASS) {
        if (addr - s->slots >= s->slot_size)
            return false;
        *out = (struct heap_slot){s->slots, s->slot_size, &s->large_meta,
                                  &s->large_size};
        return true;
    }
    uint32_t i = slot_index(s, addr);
    if (i >= s->nslots)
        return false;
    *out = (struct heap_slot){s->slots + (uintptr_t)i * s->slot_size,
                              s->slot_size, &s->meta[i], NULL};
    return true;
}

#endif
