/* SPDX-License-Identifier: MIT */
/*
 * block.h -- the debug block layout (DESIGN.md section 2): write, read and
 * verify the bytes around a user pointer.  Pure functions, no state: the
 * bytes are the contract, so they are read and written through these
 * helpers and never through a struct overlay.
 */
#ifndef DEADBYTE_BLOCK_H
#define DEADBYTE_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* CPython's names and values (pycore_pymem.h), also the Windows CRT's. */
#define FORBIDDENBYTE 0xFD /* guard bytes on both sides of the data */
#define CLEANBYTE 0xCD     /* data of a fresh malloc */
#define DEADBYTE 0xDD      /* everything of a freed block */

/* S in DESIGN.md. */
#define SST sizeof(size_t)

/* The header before the data: the size, the API id and the leading pad.
 * An ordinary block's data starts this far into its base allocation. */
#define BLOCK_HEADER_SIZE (2 * SST)

/* Where a block's PROT_NONE page is, if it has one (--guard-pages): its
 * data ends against the page, which takes the trailing pad's place, or
 * starts right after it, which takes the header's. */
enum block_guard {
    BLOCK_GUARD_NONE = 0,
    BLOCK_GUARD_AFTER = 1,
    BLOCK_GUARD_BEFORE = 2,
};

/*
 * Bytes the hooks add to a request: 2*S before the data, S after it, and
 * S more for the serial number.
 */
static inline size_t
block_overhead(bool with_serial)
{
    return (with_serial ? 4 : 3) * SST;
}

/* Bytes after the data: the trailing pad, and the serial number. */
static inline size_t
block_trailer_size(bool with_serial)
{
    return block_overhead(with_serial) - BLOCK_HEADER_SIZE;
}

/* The largest request that can be laid out: above it, ENOMEM. */
static inline size_t
block_max_request(bool with_serial)
{
    return (size_t)PTRDIFF_MAX - block_overhead(with_serial);
}

/* Store and load a size_t big-endian (most significant byte first). */
void block_put_be(unsigned char *at, size_t value);
size_t block_get_be(const unsigned char *at);

/*
 * Lay out the block whose data starts at P and holds N bytes: the header
 * (N, API id, S-1 forbidden bytes), and the trailer (S forbidden bytes,
 * then SERIAL if WITH_SERIAL).  The data itself is not touched.
 */
void block_write_header(unsigned char *p, size_t n, char api);
void block_write_trailer(unsigned char *p, size_t n, bool with_serial,
                         size_t serial);

/*
 * Where the data of an N-byte block that ends against a guard page at
 * END (--guard-pages) starts: as close to END as the alignment allows,
 * the largest power of two up to 16 that divides N (GWP-ASan's choice),
 * but 8 at least when N is 8 or more.  So a 40-byte block is 8-byte
 * aligned and its 41st byte is on the page; a 100-byte block is too, and
 * its 4 bytes up to the page are a pad.  Python, for one, breaks on
 * odd-sized objects that are not 8-byte aligned.
 */
static inline uintptr_t
block_guarded_data(uintptr_t end, size_t n)
{
    size_t align = n & -n; /* the lowest bit set; 0 for n == 0 */
    if (align == 0 || align > 16)
        align = 16;
    if (align < 8 && n >= 8)
        align = 8;
    return (end - n) & ~(uintptr_t)(align - 1);
}

/* The requested size stored in the header of the block at P. */
static inline size_t
block_size(const unsigned char *p)
{
    return block_get_be(p - 2 * SST);
}

/* The API id stored in the header of the block at P. */
static inline char
block_api(const unsigned char *p)
{
    return (char)p[-(ptrdiff_t)SST];
}

/* The serial number stored after the trailing pad of the block at P. */
static inline size_t
block_serial(const unsigned char *p)
{
    return block_get_be(p + block_size(p) + SST);
}

/* True if all N bytes at P are DEADBYTE (compared a word at a time). */
bool block_all_dead(const unsigned char *p, size_t n);

/*
 * Large regions are filled at their ends only: filling a 4 GiB block
 * whole made the kernel supply all its pages (and took 13 s), for bytes
 * that overflows and stale pointers rarely reach.  A region of N bytes
 * -- a new block's data, the tail a realloc adds, a freed block's data --
 * is filled and checked whole, or, above LIMIT bytes (--fill-limit; 0
 * for no limit), in its first and last BLOCK_FILL_END bytes.  The header
 * and trailer are always exact.
 */
#define BLOCK_FILL_END 4096

/* The length of the part filled at each end of a region of N bytes: N
 * when it is filled whole. */
static inline size_t
block_fill_end(size_t n, size_t limit)
{
    return limit != 0 && n > limit && n > 2 * BLOCK_FILL_END
               ? BLOCK_FILL_END
               : n;
}

/* Fill the N bytes at P with BYTE, or their two ends above LIMIT.
 * Inline: every malloc calls it. */
static inline void
block_fill(unsigned char *p, size_t n, unsigned char byte, size_t limit)
{
    size_t end = block_fill_end(n, limit);
    memset(p, byte, end);
    if (end < n)
        memset(p + n - end, byte, end);
}

/*
 * Fill the freed block of BYTES bytes at BASE, whose N data bytes start
 * DATA_AT bytes in, with DEADBYTE: all of it, in one pass, or, when its
 * data is over LIMIT, all but the middle of the data (what
 * block_still_dead checks).
 */
static inline void
block_fill_freed(unsigned char *base, size_t bytes, size_t data_at, size_t n,
                 size_t limit)
{
    size_t end = block_fill_end(n, limit);
    if (end == n) {
        memset(base, DEADBYTE, bytes);
        return;
    }
    size_t last = data_at + n - end;
    memset(base, DEADBYTE, data_at + end);
    memset(base + last, DEADBYTE, bytes - last);
}

/*
 * Is the freed block of BYTES bytes at BASE, whose N data bytes start
 * DATA_AT bytes in, still DEADBYTE wherever the free filled it (with the
 * same LIMIT)?
 */
bool block_still_dead(const unsigned char *base, size_t bytes,
                      size_t data_at, size_t n, size_t limit);

/* What block_check() found, in the order it checks. */
enum block_fault {
    BLOCK_OK,
    BLOCK_BAD_ID,           /* API id differs from the releasing API's */
    BLOCK_BAD_LEADING_PAD,  /* a byte of p[-S+1:0] is not 0xFD */
    BLOCK_BAD_SIZE,         /* the size field cannot fit the block */
    BLOCK_BAD_TRAILING_PAD, /* a byte of p[N:N+S] is not 0xFD */
    BLOCK_BAD_DELETE_SIZE,  /* sized delete: not the size requested */
};

/*
 * Check the block at P, about to be released or resized through API, in
 * CPython's order.  block_check_head() checks the API id, then the leading
 * pad (before the size is trusted: an underrun may have reached it).
 * block_check_tail() then checks that the size field fits CAPACITY, the
 * bytes the base allocation is known to hold (SIZE_MAX if unknown), and
 * only then reads the trailing pad.  block_check() does both.
 */
enum block_fault block_check_head(const unsigned char *p, char api);
enum block_fault block_check_tail(const unsigned char *p, bool with_serial,
                                  size_t capacity);
/* The LEN bytes of trailing pad (at most 2S) after the N bytes of data
 * at P, for a block whose size comes from its record (--guard-pages). */
enum block_fault block_check_pad(const unsigned char *p, size_t n,
                                 size_t len);

/* The bytes of pad between the data of the N-byte block at P and the
 * guard page after it (block_guarded_data): fewer than 16. */
static inline size_t
block_guarded_gap(uintptr_t p, size_t n, size_t page)
{
    uintptr_t end = p + n;
    return ((end + page - 1) & ~(uintptr_t)(page - 1)) - end;
}
enum block_fault block_check(const unsigned char *p, char api,
                             bool with_serial, size_t capacity);

/*
 * What is wrong with the bytes of the N-byte block at P, whose size N is
 * known apart from its header (the registry's), for a call expecting
 * API: in CPython's order the API id, the leading pad, the size field,
 * the trailing pad.  A block with a guard page (GUARD) has no trailer
 * (its few bytes up to the page are its pad: block_guarded_gap), or no
 * header (then RECORD_API, the API id kept apart, is compared).
 * BLOCK_OK if nothing.
 */
enum block_fault block_find_fault(const unsigned char *p, size_t n, char api,
                                  enum block_guard guard, char record_api,
                                  bool with_serial);

/* ---- Where the data goes in a base allocation ----------------------- */

/* Bytes of the pages of an N-byte block with a guard page GUARD before
 * its data (the header, and room to align it) and after it. */
static inline size_t
block_guarded_before(enum block_guard guard)
{
    return guard == BLOCK_GUARD_AFTER ? BLOCK_HEADER_SIZE + 15 : 0;
}
static inline size_t
block_guarded_after(enum block_guard guard, bool with_serial)
{
    return guard == BLOCK_GUARD_BEFORE ? block_trailer_size(with_serial) : 0;
}

/*
 * The data of an N-byte block in the LEN bytes of pages at BASE, with a
 * guard page GUARD: at their start, or ending as near their end as its
 * alignment allows (block_guarded_data), the bytes between filled with
 * FORBIDDENBYTE as its pad.
 */
unsigned char *block_place_guarded(unsigned char *base, size_t len, size_t n,
                                   enum block_guard guard);

/*
 * The data of a block aligned to ALIGN (a power of two above 2S) in a
 * base allocation at BASE, aligned to ALIGN itself: ALIGN bytes in, the
 * header taking the last 2S of them and FORBIDDENBYTE the rest (the
 * aligned gap).  Its offset into the base allocation is ALIGN.
 */
unsigned char *block_place_aligned(unsigned char *base, size_t align);

/*
 * The bytes a freed block spans from its base allocation, which the free
 * fills with DEADBYTE and the quarantine counts: OFFSET (where its N
 * bytes of data start) + N + trailer; the whole of its pages for a block
 * with a guard page GUARD.
 */
static inline size_t
block_freed_bytes(size_t offset, size_t n, enum block_guard guard,
                  bool with_serial)
{
    if (guard == BLOCK_GUARD_NONE)
        return offset + n + block_trailer_size(with_serial);
    size_t bytes = guard == BLOCK_GUARD_AFTER
                       ? offset + n
                       : n + block_trailer_size(with_serial);
    size_t page = (size_t)getpagesize();
    return (bytes + page - 1) & ~(page - 1);
}

/*
 * What the registry (registry.h) keeps of a block, and what the reports
 * say of it.
 */
struct block_record {
    uintptr_t p;          /* the pointer handed out */
    size_t size;          /* bytes requested */
    size_t serial;        /* serial number (0 when they are off) */
    uint32_t alloc_trace; /* traces id, 0: none */
    uint32_t free_trace;  /* traces id once freed */
    uint32_t offset;      /* p minus the start of the base allocation */
    char api;             /* API id */
    bool freed;           /* released: in quarantine, or being released */
    bool tracked;         /* registered with deadbyte_track(): memory the
                             program got elsewhere, with no guards */
    uint8_t guard;        /* enum block_guard */
};

#endif
