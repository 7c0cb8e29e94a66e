/* SPDX-License-Identifier: MIT */
/*
 * exit_mmap_churn.c -- a correct program whose second thread keeps
 * mapping and unmapping memory, and allocating and freeing big blocks
 * (which the C library maps and unmaps), while main returns: the leak
 * scan at exit runs while mappings come and go under it.  Exits 0 and
 * says "done"; under deadbyte it must too, with no report.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define SLOTS 32
#define BYTES ((size_t)256 * 1024)

/* Reachable to the end: the leak check has blocks to look for.  Not
 * static: the compiler may not drop the stores. */
char *kept[16];

static void *
churn(void *arg)
{
    (void)arg;
    void *slots[SLOTS] = {0};
    for (unsigned i = 0;; i = (i + 1) % SLOTS) {
        if (slots[i])
            munmap(slots[i], BYTES);
        slots[i] = mmap(NULL, BYTES, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (slots[i] == MAP_FAILED)
            slots[i] = NULL;
        else
            memset(slots[i], (int)i, BYTES); /* pages worth reading */
        char *big = malloc(BYTES);
        if (big) {
            big[0] = 1;
            free(big);
        }
    }
    return NULL;
}

int
main(void)
{
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        if (!(kept[i] = malloc(64)))
            return 1;
    pthread_t thread;
    if (pthread_create(&thread, NULL, churn, NULL) != 0)
        return 1;
    struct timespec a_while = {0, 20 * 1000 * 1000};
    nanosleep(&a_while, NULL);
    puts("done");
    return 0; /* the thread is still at work */
}
