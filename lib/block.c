/* SPDX-License-Identifier: MIT */
/*
 * block.c -- the debug block layout, byte for byte (DESIGN.md section 2).
 * With S = sizeof(size_t), a request for N bytes becomes a base allocation
 * of N + 3S bytes (N + 4S with serial numbers) laid out as:
 *
 *   base        p-2S        p-S  p-S+1      p          p+N       p+N+S
 *   |           | N (BE)    | id | FD .. FD | data ... | FD .. FD | serial (BE)
 *               `-- S --'   `1'  `- S-1 -'  `-- N --'  `-- S --'  `-- S --'
 *
 * The size is big-endian so that it reads naturally in a memory dump.
 * Runs inside the allocator: no malloc, no stdio, no locks.
 */
#include "config.h"

#include "block.h"

#include <string.h>

/* A size_t with its bytes in big-endian order: stored, or loaded, as
 * one word (a byte at a time was a tenth of the hooks' instructions). */
static size_t
big_endian(size_t value)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#if SIZE_MAX > 0xffffffffu
    return __builtin_bswap64(value);
#else
    return __builtin_bswap32(value);
#endif
#else
    return value;
#endif
}

void
block_put_be(unsigned char *at, size_t value)
{
    value = big_endian(value);
    memcpy(at, &value, SST);
}

size_t
block_get_be(const unsigned char *at)
{
    size_t value;
    memcpy(&value, at, SST);
    return big_endian(value);
}

void
block_write_header(unsigned char *p, size_t n, char api)
{
    block_put_be(p - 2 * SST, n);
    p[-(ptrdiff_t)SST] = (unsigned char)api;
    memset(p - SST + 1, FORBIDDENBYTE, SST - 1);
}

void
block_write_trailer(unsigned char *p, size_t n, bool with_serial,
                    size_t serial)
{
    memset(p + n, FORBIDDENBYTE, SST);
    if (with_serial)
        block_put_be(p + n + SST, serial);
}

/* S bytes of FORBIDDENBYTE to compare pads against. */
static const unsigned char forbidden[sizeof(size_t)] = {
    FORBIDDENBYTE, FORBIDDENBYTE, FORBIDDENBYTE, FORBIDDENBYTE,
#if SIZE_MAX > 0xffffffffu
    FORBIDDENBYTE, FORBIDDENBYTE, FORBIDDENBYTE, FORBIDDENBYTE,
#endif
};

enum block_fault
block_check_head(const unsigned char *p, char api)
{
    if (block_api(p) != api)
        return BLOCK_BAD_ID;
    if (memcmp(p - SST + 1, forbidden, SST - 1) != 0)
        return BLOCK_BAD_LEADING_PAD;
    return BLOCK_OK;
}

enum block_fault
block_check_tail(const unsigned char *p, bool with_serial, size_t capacity)
{
    size_t n = block_size(p);
    if (n > block_max_request(with_serial) ||
        n + block_overhead(with_serial) > capacity)
        return BLOCK_BAD_SIZE;
    if (memcmp(p + n, forbidden, SST) != 0)
        return BLOCK_BAD_TRAILING_PAD;
    return BLOCK_OK;
}

enum block_fault
block_check_pad(const unsigned char *p, size_t n, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[n + i] != FORBIDDENBYTE)
            return BLOCK_BAD_TRAILING_PAD;
    return BLOCK_OK;
}

enum block_fault
block_check(const unsigned char *p, char api, bool with_serial,
            size_t capacity)
{
    enum block_fault fault = block_check_head(p, api);
    return fault != BLOCK_OK ? fault
                             : block_check_tail(p, with_serial, capacity);
}

bool
block_all_dead(const unsigned char *p, size_t n)
{
    /* Bytes up to a word boundary, whole words, then the rest: blocks are
     * hundreds of bytes, and this runs for every block leaving the
     * quarantine. */
    const size_t dead_word = (size_t)0x0101010101010101u * DEADBYTE;
    while (n > 0 && ((uintptr_t)p & (sizeof(size_t) - 1))) {
        if (*p++ != DEADBYTE)
            return false;
        n--;
    }
    /* Four words per test: one branch per 32 bytes. */
    for (; n >= 4 * sizeof(size_t); n -= 4 * sizeof(size_t)) {
        size_t words[4];
        memcpy(words, p, sizeof words);
        if (((words[0] ^ dead_word) | (words[1] ^ dead_word) |
             (words[2] ^ dead_word) | (words[3] ^ dead_word)) != 0)
            return false;
        p += sizeof words;
    }
    for (; n >= sizeof(size_t); n -= sizeof(size_t), p += sizeof(size_t)) {
        size_t word;
        memcpy(&word, p, sizeof word);
        if (word != dead_word)
            return false;
    }
    while (n-- > 0)
        if (*p++ != DEADBYTE)
            return false;
    return true;
}

bool
block_still_dead(const unsigned char *base, size_t bytes, size_t data_at,
                 size_t n, size_t limit)
{
    size_t end = block_fill_end(n, limit);
    if (end == n)
        return block_all_dead(base, bytes);
    /* Header and first bytes; last bytes and trailer. */
    size_t last = data_at + n - end;
    return block_all_dead(base, data_at + end) &&
           block_all_dead(base + last, bytes - last);
}

enum block_fault
block_find_fault(const unsigned char *p, size_t n, char api,
                 enum block_guard guard, char record_api, bool with_serial)
{
    if (__builtin_expect(guard != BLOCK_GUARD_NONE, 0)) {
        /* The page takes the place of the trailer, or of the header,
         * whose API id and size the record holds as well. */
        if (guard == BLOCK_GUARD_AFTER) {
            enum block_fault fault = block_check_head(p, api);
            if (fault == BLOCK_OK && block_size(p) != n)
                fault = BLOCK_BAD_SIZE;
            return fault != BLOCK_OK
                       ? fault
                       : block_check_pad(
                             p, n,
                             block_guarded_gap((uintptr_t)p, n,
                                               (size_t)getpagesize()));
        }
        return record_api != api ? BLOCK_BAD_ID : block_check_pad(p, n, SST);
    }
    enum block_fault fault = block_check_head(p, api);
    if (fault == BLOCK_OK)
        fault = block_size(p) != n ? BLOCK_BAD_SIZE
                                   : block_check_tail(p, with_serial, SIZE_MAX);
    return fault;
}

unsigned char *
block_place_guarded(unsigned char *base, size_t len, size_t n,
                    enum block_guard guard)
{
    if (guard != BLOCK_GUARD_AFTER)
        return base;
    unsigned char *p =
        (unsigned char *)block_guarded_data((uintptr_t)(base + len), n);
    memset(p + n, FORBIDDENBYTE, (size_t)(base + len - (p + n)));
    return p;
}

unsigned char *
block_place_aligned(unsigned char *base, size_t align)
{
    memset(base, FORBIDDENBYTE, align - BLOCK_HEADER_SIZE);
    return base + align;
}
