/* SPDX-License-Identifier: MIT */
/*
 * heap.h -- deadbyte's own heap, under the debug hooks of malloc and
 * operator new when preloaded: memory from mmap in size classes, so that
 * any address leads to its block, and to the block's record, by
 * arithmetic.
 *
 * Small requests (up to HEAP_SMALL_MAX bytes) are served from spans of
 * HEAP_SPAN_SIZE bytes, aligned to their size, each cut into slots of one
 * size class; a span starts with its header and an array of per-slot
 * records (struct heap_meta), then the slots.  Larger requests are mapped
 * on their own, a PROT_NONE page on each side.  A radix map from every
 * HEAP_SPAN_SIZE granule of the address space to its span (or large
 * mapping) says, without reading memory that may not be there, whether an
 * address is ours and which span it is in; the slot is then one
 * multiply and shift away.
 *
 * Threads keep a small cache of free slots per class, so that most calls
 * take no lock; each class has a lock for the spans' free lists behind
 * the caches.  Nothing here calls the C library's allocator or stdio.
 */
#ifndef DEADBYTE_HEAP_H
#define DEADBYTE_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_SPAN_BITS 20
#define HEAP_SPAN_SIZE ((size_t)1 << HEAP_SPAN_BITS)
/* The largest request served from a span's slots; above, a mapping. */
#define HEAP_SMALL_MAX ((size_t)256 * 1024)

/* What a slot holds. */
enum heap_state {
    HEAP_FREE = 0,  /* nothing: free, or never handed out */
    HEAP_LIVE = 1,  /* a block the program holds */
    HEAP_FREED = 2, /* a block freed, in quarantine or being released */
};

/*
 * The record of the block in a slot: what the registry kept in its hash
 * table before (registry.h), packed, beside the slot instead of in a
 * table.  Written by the registry; the heap only reads STATE (a slot
 * handed out is HEAP_FREE until the registry says otherwise) and uses
 * NEXT_FREE while the slot is free.
 */
struct heap_meta {
    uint64_t serial;
    uint32_t size;        /* bytes requested; HEAP_SIZE_IN_SPAN: large */
    uint32_t alloc_trace;
    uint32_t free_trace;  /* while HEAP_FREE: the next free slot + 1 */
    uint8_t offset_log2;  /* the block's data is 1 << offset_log2 bytes
                             after its base, which is the slot's start
                             rounded up to that power of two */
    char api;
    uint8_t state;        /* enum heap_state, atomic */
    uint8_t guard;        /* enum block_guard (block.h): the block's
                             data is at the end of its pages, or at
                             their start, not at the offset */
};
#define HEAP_SIZE_IN_SPAN UINT32_MAX

/* Where an address is: its slot and the slot's record. */
struct heap_slot {
    uintptr_t start;         /* the slot's first byte */
    size_t size;             /* its bytes */
    struct heap_meta *meta;
    size_t *large_size;      /* a large block's requested size, or NULL;
                                written by the registry, as the record */
};

/* Memory for the hooks, as a deadbyte_allocator_t (ctx unused): 16-byte
 * aligned, never NULL for size 0; NULL with errno ENOMEM when mmap
 * fails.  heap_free takes any address inside a slot. */
void *heap_malloc(void *ctx, size_t size);
void *heap_calloc(void *ctx, size_t nelem, size_t elsize);
void *heap_realloc(void *ctx, void *ptr, size_t size);
void heap_free(void *ctx, void *ptr);
/* SIZE bytes aligned to ALIGN, a power of two. */
void *heap_memalign(size_t align, size_t size);

/*
 * Pages of their own for one block of BYTES bytes (--guard-pages): a
 * large mapping, whatever BYTES, whose *LEN bytes (BYTES rounded up to
 * the page) have a PROT_NONE page before and after them.  Released by
 * heap_free() like any block.  NULL with errno ENOMEM if mmap failed.
 */
void *heap_pages(size_t bytes, size_t *len);

/* Make the pages of the block whose slot starts at BASE (from
 * heap_pages) readable and writable, or not at all. */
bool heap_pages_protect(void *base, bool accessible);

/* True if ADDR lies in a span or large mapping of the heap. */
bool heap_owns(uintptr_t addr);

/*
 * The slot that contains ADDR, in O(1): false if ADDR is not in the
 * heap, or lies in a span's header and records or a large block's guard
 * pages.  Reads only the radix map and span headers, which are never
 * unmapped: safe for any address, from any thread.
 */
bool heap_slot_of(uintptr_t addr, struct heap_slot *out);

/*
 * The large block whose guard pages contain ADDR: the PROT_NONE page
 * before its data, or the PROT_NONE rest of its mapping after its data
 * (up to the next HEAP_SPAN_SIZE boundary).  False for any other
 * address.  Lock-free, reads only the radix map and the headers of large
 * mappings, which are never unmapped: for a signal handler, in any
 * thread.
 */
bool heap_large_guard_of(uintptr_t addr, struct heap_slot *out);

/* Call FN for every slot that is not HEAP_FREE (its state read with
 * acquire), span by span; FN runs with no lock of the heap held. */
void heap_for_each_used(void (*fn)(const struct heap_slot *, void *),
                        void *arg);

/* Call FN with each region of spans the heap maps (neighbours merged),
 * and of its own tables: the leak scan leaves them out of its roots.
 * Large mappings are not regions: each is a block, which the scan
 * leaves out as such, between pages that cannot be read. */
void heap_for_each_region(void (*fn)(uintptr_t start, uintptr_t end,
                                     void *arg),
                          void *arg);

/* Give the pages of every empty span back to the system (malloc_trim);
 * true if some were. */
bool heap_trim(void);

/* mallinfo2's figures: bytes mapped for blocks, and bytes of slots in
 * use (live, quarantined or in threads' caches), in all and of large
 * blocks; spans, and large blocks. */
struct heap_counts {
    size_t mapped, in_use, spans, large;
    size_t large_mapped, large_in_use;
};
void heap_get_counts(struct heap_counts *out);

/* Fork: lock every lock of the heap, and unlock them (both sides; in the
 * child the caches of the threads that did not come along are emptied
 * into their spans). */
void heap_lock_all(void);
void heap_unlock_all(void);
void heap_unlock_all_in_child(void);
/* Whether this thread may take the heap's locks (spinlock_free_soon). */
bool heap_locks_free(void);

#endif
