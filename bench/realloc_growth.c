/* realloc_growth.c -- a buffer grown by realloc, for bench/run.sh.
 *
 * Usage: realloc_growth REPEATS
 *
 * The unit of work: 64 times, a buffer is grown from nothing to 16 KiB
 * with realloc, 1..64 bytes at a time (random steps from a fixed-seed
 * xorshift generator), the new bytes written each time, then checked
 * (every 61st byte and the last) and freed.  The program does the unit
 * REPEATS times: 64 buffers alone take too little time to be timed.
 *
 * Standard output: one line that depends only on REPEATS (the number of
 * realloc calls and a checksum of the bytes checked), so that a run
 * under a debugger can be compared with a plain one.  Exit status 1 if a
 * buffer held something else than what was written into it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"

#define BUFFERS 64              /* buffers per unit */
#define FULL 16384              /* each grows to this size */
#define MIN_STEP 1
#define MAX_STEP 64
#define STRIDE 61               /* bytes checked: every STRIDE-th, and the last */

/* The byte at offset I of a buffer with key KEY. */
static unsigned char byte_at(size_t i, unsigned key)
{
    return (unsigned char)(i * 131 + key + (i >> 8));
}

/* Whether byte I of buffer P with key KEY is what was written there;
   mixes it into *SUM. */
static int check(const unsigned char *p, size_t i, unsigned key, uint64_t *sum)
{
    *sum = (*sum ^ p[i]) * 0x100000001B3ULL;
    return p[i] == byte_at(i, key);
}

int main(int argc, char **argv)
{
    uint64_t rnd = 0x9E3779B97F4A7C15ULL, sum = 0;
    unsigned long repeats, reallocs = 0;
    int bad = 0;
    char *end;

    if (argc != 2 || (repeats = strtoul(argv[1], &end, 10), *end)) {
        fputs("usage: realloc_growth REPEATS\n", stderr);
        return 2;
    }
    for (unsigned long r = 0; r < repeats; r++) {
        for (int b = 0; b < BUFFERS; b++) {
            unsigned key = (unsigned)next_random(&rnd);
            unsigned char *p = NULL;
            size_t len = 0;

            while (len < FULL) {
                size_t step = random_between(&rnd, MIN_STEP, MAX_STEP);
                unsigned char *q;

                if (step > FULL - len)
                    step = FULL - len;
                q = realloc(p, len + step);
                if (!q) {
                    free(p);
                    return 1;
                }
                p = q;
                reallocs++;
                for (size_t i = len; i < len + step; i++)
                    p[i] = byte_at(i, key);
                len += step;
            }
            for (size_t i = 0; i < FULL; i += STRIDE)
                bad |= !check(p, i, key, &sum);
            bad |= !check(p, FULL - 1, key, &sum);
            free(p);
        }
    }
    printf("realloc_growth buffers=%lu size=%d reallocs=%lu checksum=%016llx%s\n",
           repeats * BUFFERS, FULL, reallocs, (unsigned long long)sum,
           bad ? " BAD" : "");
    return bad;
}
