/* bench_util.h -- what the workload programs of bench/run.sh share: a
 * pseudo-random sequence that is the same everywhere, and a tag written
 * into a block and read back before it is freed.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* xorshift64*: fast, and the same sequence everywhere.  STATE must not
   start at 0. */
static inline uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* A number in MIN..MAX, both included. */
static inline size_t random_between(uint64_t *state, size_t min, size_t max)
{
    return min + (size_t)(next_random(state) % (max - min + 1));
}

/* Write TAG at the start and its low byte, inverted, at the end of a
   SIZE-byte block (SIZE >= 8); tag_ok reads them back. */
static inline void tag_block(unsigned char *p, size_t size, uint64_t tag)
{
    p[size - 1] = (unsigned char)~tag;
    memcpy(p, &tag, sizeof tag);
}

/* Whether the SIZE-byte block at P still holds what tag_block(P, SIZE,
   TAG) wrote. */
static inline int tag_ok(const unsigned char *p, size_t size, uint64_t tag)
{
    uint64_t got;
    memcpy(&got, p, sizeof got);
    return got == tag
        && (size <= sizeof tag || p[size - 1] == (unsigned char)~tag);
}

#endif
