/* churn.c -- small-block allocator churn for bench/run.sh.
 *
 * Usage: churn [-p] THREADS OPS
 *
 * Default mode: each of THREADS threads does OPS operations of its own on
 * a table of 1024 slots: at a random slot it frees the block there, grows
 * or shrinks it with realloc, or puts a new one there with malloc or
 * calloc, of 8..512 bytes.  The threads share nothing but the allocator,
 * so with 2 threads on 2 cores the throughput (ops/s) should double.
 *
 * -p (producer/consumer): thread i allocates OPS blocks of 8..512 bytes
 * (malloc, calloc, sometimes a realloc after it), writes a tag into each
 * and hands it through a lock-free ring to thread i+1 (mod THREADS),
 * which checks the tag and frees it: every block is freed by another
 * thread than the one that made it (with THREADS >= 2).
 *
 * Standard output: one line that depends only on the arguments (a
 * checksum of what the blocks held), so that a run under a debugger can
 * be compared with a plain one.  Exit status 1 if a block held something
 * else than what was written into it.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

#define SLOTS 1024
#define RING 1024          /* power of 2 */
#define MIN_SIZE 8
#define MAX_SIZE 512

static unsigned long ops_per_thread;
static int nthreads;
static atomic_int bad;

static size_t random_size(uint64_t *state)
{
    return random_between(state, MIN_SIZE, MAX_SIZE);
}

static uint64_t check_block(const unsigned char *p, size_t size,
                            uint64_t tag)
{
    if (!tag_ok(p, size, tag))
        atomic_store(&bad, 1);
    return tag;
}

/* ---- default mode: private churn per thread ---- */

struct slot {
    unsigned char *p;
    size_t size;
    uint64_t tag;
};

struct worker {
    pthread_t thread;
    int index;
    uint64_t sum;
};

static void *churn(void *arg)
{
    struct worker *w = arg;
    struct slot *slots = calloc(SLOTS, sizeof *slots);
    uint64_t rnd = 0x9E3779B97F4A7C15ULL * (uint64_t)(w->index + 1);
    uint64_t sum = 0;

    if (!slots) {
        atomic_store(&bad, 1);
        return NULL;
    }
    for (unsigned long i = 0; i < ops_per_thread; i++) {
        uint64_t r = next_random(&rnd);
        struct slot *s = &slots[r % SLOTS];
        unsigned what = (unsigned)(r >> 32) % 8;
        size_t size = random_size(&rnd);
        uint64_t tag = i + 1;

        if (s->p && what < 3) {                 /* free */
            sum += check_block(s->p, s->size, s->tag);
            free(s->p);
            s->p = NULL;
            continue;
        }
        if (s->p && what < 5) {                 /* realloc */
            unsigned char *q;
            check_block(s->p, s->size, s->tag);
            q = realloc(s->p, size);
            if (!q) {
                atomic_store(&bad, 1);
                continue;
            }
            s->p = q;
            s->size = size;
        } else {                                /* malloc or calloc */
            if (s->p) {
                sum += check_block(s->p, s->size, s->tag);
                free(s->p);
            }
            if (what & 1) {
                s->p = calloc(1, size);
                if (s->p && s->p[size / 2] != 0)
                    atomic_store(&bad, 1);
            } else {
                s->p = malloc(size);
            }
            if (!s->p) {
                atomic_store(&bad, 1);
                continue;
            }
            s->size = size;
        }
        s->tag = tag;
        tag_block(s->p, s->size, tag);
    }
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].p) {
            sum += check_block(slots[i].p, slots[i].size, slots[i].tag);
            free(slots[i].p);
        }
    }
    free(slots);
    w->sum = sum;
    return NULL;
}

/* ---- -p mode: producer/consumer ---- */

struct msg {
    unsigned char *p;
    size_t size;
    uint64_t tag;
};

/* Single-producer single-consumer ring: the producer owns head, the
   consumer owns tail. */
struct ring {
    _Alignas(64) atomic_ulong head;
    _Alignas(64) atomic_ulong tail;
    _Alignas(64) struct msg slot[RING];
};

struct pc_worker {
    pthread_t thread;
    int index;
    struct ring *out;          /* to thread index+1 */
    struct ring *in;           /* from thread index-1 */
    uint64_t sum;
};

static int ring_push(struct ring *r, const struct msg *m)
{
    unsigned long head = atomic_load_explicit(&r->head, memory_order_relaxed);
    unsigned long tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (head - tail == RING)
        return 0;
    r->slot[head % RING] = *m;
    atomic_store_explicit(&r->head, head + 1, memory_order_release);
    return 1;
}

static int ring_pop(struct ring *r, struct msg *m)
{
    unsigned long tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    unsigned long head = atomic_load_explicit(&r->head, memory_order_acquire);
    if (head == tail)
        return 0;
    *m = r->slot[tail % RING];
    atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
    return 1;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static void *producer_consumer(void *arg)
{
    struct pc_worker *w = arg;
    uint64_t rnd = 0xD1B54A32D192ED03ULL * (uint64_t)(w->index + 1);
    unsigned long made = 0, freed = 0;
    uint64_t sum = 0;
    struct msg m;
    int have = 0;              /* m holds a block not pushed yet */
    unsigned idle = 0;

    while (made < ops_per_thread || freed < ops_per_thread || have) {
        int progress = 0;

        if (!have && made < ops_per_thread) {
            uint64_t r = next_random(&rnd);
            size_t size = random_size(&rnd);
            unsigned what = (unsigned)(r >> 32) % 4;

            m.p = what == 0 ? calloc(1, size) : malloc(size);
            if (m.p && what == 1) {             /* realloc after malloc */
                size_t size2 = random_size(&rnd);
                unsigned char *q = realloc(m.p, size2);
                if (q) {
                    m.p = q;
                    size = size2;
                } else {
                    free(m.p);
                    m.p = NULL;
                }
            }
            if (!m.p) {
                atomic_store(&bad, 1);
                return NULL;
            }
            m.size = size;
            m.tag = ((uint64_t)w->index << 48) | (made + 1);
            tag_block(m.p, m.size, m.tag);
            made++;
            have = 1;
        }
        if (have && ring_push(w->out, &m)) {
            have = 0;
            progress = 1;
        }
        /* Drain what is there, so that the other side never waits long. */
        for (int k = 0; k < 64 && freed < ops_per_thread; k++) {
            struct msg in;
            if (!ring_pop(w->in, &in))
                break;
            sum += check_block(in.p, in.size, in.tag);
            free(in.p);
            freed++;
            progress = 1;
        }
        if (progress) {
            idle = 0;
        } else if (++idle % 64 == 0) {
            sched_yield();     /* the other side may not be running */
        } else {
            cpu_relax();
        }
    }
    w->sum = sum;
    return NULL;
}

static int usage(void)
{
    fputs("usage: churn [-p] THREADS OPS\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    int pc = 0;
    uint64_t sum = 0;
    char *end;

    if (argc > 1 && strcmp(argv[1], "-p") == 0) {
        pc = 1;
        argc--;
        argv++;
    }
    if (argc != 3)
        return usage();
    nthreads = (int)strtol(argv[1], &end, 10);
    if (*end || nthreads < 1 || nthreads > 64)
        return usage();
    ops_per_thread = strtoul(argv[2], &end, 10);
    if (*end || ops_per_thread < 1)
        return usage();

    if (pc) {
        struct pc_worker *w = calloc((size_t)nthreads, sizeof *w);
        struct ring *rings = aligned_alloc(64, (size_t)nthreads * sizeof *rings);
        if (!w || !rings)
            return 1;
        memset(rings, 0, (size_t)nthreads * sizeof *rings);
        for (int i = 0; i < nthreads; i++) {
            w[i].index = i;
            w[i].out = &rings[i];
            w[i].in = &rings[(i + nthreads - 1) % nthreads];
        }
        for (int i = 0; i < nthreads; i++)
            if (pthread_create(&w[i].thread, NULL, producer_consumer, &w[i]))
                return 1;
        for (int i = 0; i < nthreads; i++) {
            pthread_join(w[i].thread, NULL);
            sum += w[i].sum;
        }
        free(rings);
        free(w);
    } else {
        struct worker *w = calloc((size_t)nthreads, sizeof *w);
        if (!w)
            return 1;
        for (int i = 0; i < nthreads; i++) {
            w[i].index = i;
            if (pthread_create(&w[i].thread, NULL, churn, &w[i]))
                return 1;
        }
        for (int i = 0; i < nthreads; i++) {
            pthread_join(w[i].thread, NULL);
            sum += w[i].sum;
        }
        free(w);
    }
    printf("churn%s threads=%d ops=%lu checksum=%016llx%s\n", pc ? " -p" : "",
           nthreads, ops_per_thread, (unsigned long long)sum,
           atomic_load(&bad) ? " BAD" : "");
    return atomic_load(&bad) ? 1 : 0;
}
