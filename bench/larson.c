/* larson.c -- threads freeing each other's blocks, after Larson and
 * Krishnan's server benchmark, for bench/run.sh.
 *
 * Usage: larson THREADS OPS
 *
 * Each of THREADS threads does OPS operations on a table of 2048 slots:
 * it allocates a block of 8..4096 bytes (random sizes from a fixed-seed
 * xorshift generator, one per thread), writes a tag into its first 8
 * bytes and its last byte, puts it in a random slot and frees the block
 * that was there, after checking its tag.  It does so in rounds of 2048
 * operations; after each round the threads wait for each other and pass
 * their tables on (thread i takes thread i+1's, mod THREADS), as the
 * threads of Larson's benchmark hand their tables to new threads.  A
 * round then starts on a table that another thread last refilled, and
 * with 2 threads about 46 % of the threads' frees free a block that the
 * other thread allocated (the program counts them).  At the end the
 * main thread frees what is left.
 *
 * The hand-over points are fixed, so which thread frees which block
 * does not depend on how the threads are scheduled.  Standard output:
 * one line that depends only on the arguments (the number of blocks,
 * how many the threads freed of another's, a checksum of the tags), so
 * that a run under a debugger can be compared with a plain one.  Exit
 * status 1 if a block held something else than what was written into
 * it.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"

#define SLOTS 2048
#define ROUND 2048              /* operations between hand-overs */
#define MIN_SIZE 8
#define MAX_SIZE 4096

/* A tag: the thread's number + 1 in the top 8 bits, the block's
   sequence number in the thread, the size in the low 13 bits. */
#define SIZE_BITS 13
#define THREAD_SHIFT 56
#define TAG(thread, seq, size) \
    (((uint64_t)(thread) + 1) << THREAD_SHIFT | (uint64_t)(seq) << SIZE_BITS | (size))
#define TAG_SIZE(tag) ((size_t)((tag) & ((1u << SIZE_BITS) - 1)))
#define TAG_THREAD(tag) ((int)((tag) >> THREAD_SHIFT) - 1)

static unsigned long ops_per_thread;
static int nthreads;
static unsigned char *(*tables)[SLOTS];   /* nthreads tables */
static pthread_barrier_t round_end;

struct worker {
    pthread_t thread;
    int index;
    uint64_t sum;              /* mixed tags of the blocks it freed */
    unsigned long frees, foreign;   /* frees; of another thread's block */
    int bad;
};

/* Check block P and free it; account for it in W. */
static void release(struct worker *w, unsigned char *p)
{
    uint64_t tag;
    size_t size;

    memcpy(&tag, p, sizeof tag);
    size = TAG_SIZE(tag);
    if (size < MIN_SIZE || !tag_ok(p, size, tag))
        w->bad = 1;
    w->sum = (w->sum ^ tag) * 0x100000001B3ULL;
    w->frees++;
    w->foreign += TAG_THREAD(tag) != w->index;
    free(p);
}

static void *run(void *arg)
{
    struct worker *w = arg;
    uint64_t rnd = 0xD1B54A32D192ED03ULL * (uint64_t)(w->index + 1);
    unsigned long i = 0;

    for (unsigned long r = 0; i < ops_per_thread; r++) {
        unsigned char **table = tables[(w->index + r) % (unsigned long)nthreads];

        for (unsigned long k = 0; k < ROUND && i < ops_per_thread; k++, i++) {
            size_t size = random_between(&rnd, MIN_SIZE, MAX_SIZE);
            unsigned char *p = malloc(size), **slot;

            if (!p) {
                w->bad = 1;
                continue;
            }
            tag_block(p, size, TAG(w->index, i + 1, size));
            slot = &table[next_random(&rnd) % SLOTS];
            if (*slot)
                release(w, *slot);
            *slot = p;
        }
        /* Every thread does as many rounds: none waits in vain. */
        pthread_barrier_wait(&round_end);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct worker *w, rest = {.index = -1};
    unsigned long blocks, frees = 0, foreign = 0;
    uint64_t sum = 0;
    int bad = 0;
    char *end;

    if (argc != 3)
        goto usage;
    nthreads = (int)strtol(argv[1], &end, 10);
    if (*end || nthreads < 1 || nthreads > 64)
        goto usage;
    ops_per_thread = strtoul(argv[2], &end, 10);
    if (*end || ops_per_thread < 1
        || ops_per_thread >> (THREAD_SHIFT - SIZE_BITS))
        goto usage;

    w = calloc((size_t)nthreads, sizeof *w);
    tables = calloc((size_t)nthreads, sizeof *tables);
    if (!w || !tables
        || pthread_barrier_init(&round_end, NULL, (unsigned)nthreads))
        return 1;
    for (int i = 0; i < nthreads; i++) {
        w[i].index = i;
        if (pthread_create(&w[i].thread, NULL, run, &w[i]))
            return 1;
    }
    for (int i = 0; i < nthreads; i++) {
        pthread_join(w[i].thread, NULL);
        sum = (sum ^ w[i].sum) * 0x100000001B3ULL;
        frees += w[i].frees;
        foreign += w[i].foreign;
        bad |= w[i].bad;
    }
    for (int t = 0; t < nthreads; t++)
        for (int i = 0; i < SLOTS; i++)
            if (tables[t][i])
                release(&rest, tables[t][i]);
    bad |= rest.bad;
    sum = (sum ^ rest.sum) * 0x100000001B3ULL;
    blocks = frees + rest.frees;
    bad |= blocks != (unsigned long)nthreads * ops_per_thread;
    free(tables);
    free(w);
    pthread_barrier_destroy(&round_end);

    printf("larson threads=%d ops=%lu blocks=%lu frees=%lu foreign=%lu "
           "checksum=%016llx%s\n", nthreads, ops_per_thread, blocks, frees,
           foreign, (unsigned long long)sum, bad ? " BAD" : "");
    return bad;

usage:
    fputs("usage: larson THREADS OPS\n", stderr);
    return 2;
}
