/* small_blocks.c -- small-block replacement for bench/run.sh.
 *
 * Usage: small_blocks OPS
 *
 * A table of 8192 slots, each holding a block of 8..64 bytes (random
 * sizes from a fixed-seed xorshift generator).  Each of OPS operations
 * frees the block of a random slot and puts a fresh malloc of a random
 * size of 8..64 bytes there, with a tag written into its first 8 bytes
 * and its last byte.  A block's tag is checked before it is freed, and
 * mixed with its size into a checksum, in the order of the frees.
 *
 * Standard output: one line that depends only on OPS (a checksum of the
 * tags), so that a run under a debugger can be compared with a plain one.
 * Exit status 1 if a block held something else than what was written
 * into it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"

#define SLOTS 8192
#define MIN_SIZE 8
#define MAX_SIZE 64

struct slot {
    unsigned char *p;
    size_t size;
    uint64_t tag;
};

static struct slot slots[SLOTS];

/* A new block of random size for slot S, tagged TAG. */
static int fill(struct slot *s, uint64_t *rnd, uint64_t tag)
{
    size_t size = random_between(rnd, MIN_SIZE, MAX_SIZE);

    s->p = malloc(size);
    if (!s->p)
        return 0;
    s->size = size;
    s->tag = tag;
    tag_block(s->p, size, tag);
    return 1;
}

/* Check slot S's block, free it and mix its tag and size into *SUM. */
static int release(struct slot *s, uint64_t *sum)
{
    int ok = tag_ok(s->p, s->size, s->tag);

    *sum = (*sum ^ (s->tag + ((uint64_t)s->size << 48))) * 0x100000001B3ULL;
    free(s->p);
    s->p = NULL;
    return ok;
}

int main(int argc, char **argv)
{
    uint64_t rnd = 0x9E3779B97F4A7C15ULL, sum = 0, tag = 0;
    unsigned long ops;
    int bad = 0;
    char *end;

    if (argc != 2 || (ops = strtoul(argv[1], &end, 10), *end)) {
        fputs("usage: small_blocks OPS\n", stderr);
        return 2;
    }
    for (size_t i = 0; i < SLOTS; i++)
        if (!fill(&slots[i], &rnd, ++tag))
            return 1;
    for (unsigned long i = 0; i < ops; i++) {
        struct slot *s = &slots[next_random(&rnd) % SLOTS];

        bad |= !release(s, &sum);
        if (!fill(s, &rnd, ++tag))
            return 1;
    }
    for (size_t i = 0; i < SLOTS; i++)
        bad |= !release(&slots[i], &sum);
    printf("small_blocks slots=%d ops=%lu checksum=%016llx%s\n", SLOTS, ops,
           (unsigned long long)sum, bad ? " BAD" : "");
    return bad;
}
