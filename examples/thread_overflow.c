/* SPDX-License-Identifier: MIT */
/*
 * thread_overflow.c -- a block made and overrun in a worker thread, freed
 * by the main thread.  The allocation traceback is the worker's, the
 * traceback of the free the main thread's:
 *
 *   Memory block allocated at (most recent call first):
 *     #0 ... in make_record examples/thread_overflow.c:LINE
 *     #1 ... in worker examples/thread_overflow.c:LINE
 *     #2 ... in start_thread
 *   Detected by free at (most recent call first):
 *     #0 ... in main examples/thread_overflow.c:LINE
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
make_record(const char *text)
{
    char *record = malloc(strlen(text)); /* BUG: no room for the NUL */
    for (size_t i = 0; record && (record[i] = text[i]) != '\0'; i++)
        continue; /* a loop: no call to check */
    return record;
}

/* The text comes from a variable, so the compiler cannot see the bug. */
static const char *volatile text = "made in a thread";

static void *
worker(void *arg)
{
    (void)arg;
    char *record = make_record(text);
    puts("worker done");
    return record;
}

int
main(void)
{
    pthread_t thread;
    void *record = NULL;
    if (pthread_create(&thread, NULL, worker, NULL) != 0 ||
        pthread_join(thread, &record) != 0 || !record)
        return 1;
    puts("joined");
    fflush(stdout);
    free(record);
    return 0;
}
