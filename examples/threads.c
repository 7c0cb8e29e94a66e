/* SPDX-License-Identifier: MIT */
/*
 * threads.c -- a correct program that allocates from many threads at
 * once: four threads each do 100000 malloc/realloc/free of sizes 1 to
 * 600 and check their bytes, while a producer hands blocks through a
 * queue (mutex and condition variable) to a consumer that checks and
 * frees them, so every one of those blocks is freed by another thread
 * than the one that made it.  `deadbyte -- ./threads` says nothing and
 * prints "threads done".
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKERS 4
#define OPS 100000
#define SLOTS 64
#define MAX_SIZE 600
#define HANDOFFS 50000
#define QUEUE_LEN 256

static void
die(const char *what)
{
    fprintf(stderr, "threads: %s\n", what);
    exit(1);
}

/* xorshift32: a deterministic random sequence per thread. */
static uint32_t
next_random(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

struct slot {
    unsigned char *p;
    size_t size;
    unsigned char tag;
};

static void
check_slot(const struct slot *s)
{
    for (size_t i = 0; i < s->size; i++)
        if (s->p[i] != s->tag)
            die("a block changed under its owner");
}

static void *
worker(void *arg)
{
    uint32_t state = (uint32_t)(uintptr_t)arg * 2654435761u + 1;
    struct slot slots[SLOTS] = {{0}};
    for (int op = 0; op < OPS; op++) {
        struct slot *s = &slots[next_random(&state) % SLOTS];
        size_t size = next_random(&state) % MAX_SIZE + 1;
        if (!s->p) {
            s->p = malloc(size);
            if (!s->p)
                die("malloc");
        } else if (next_random(&state) % 2) {
            check_slot(s);
            unsigned char *p = realloc(s->p, size);
            if (!p)
                die("realloc");
            s->p = p;
            size_t kept = s->size < size ? s->size : size;
            for (size_t i = 0; i < kept; i++)
                if (p[i] != s->tag)
                    die("realloc lost data");
        } else {
            check_slot(s);
            free(s->p);
            s->p = NULL;
            continue;
        }
        s->size = size;
        s->tag = (unsigned char)next_random(&state);
        memset(s->p, s->tag, size);
    }
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].p)
            check_slot(&slots[i]);
        free(slots[i].p);
    }
    return NULL;
}

/* A bounded queue of blocks, each starting with its own size. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    unsigned char *items[QUEUE_LEN];
    size_t head, count;
} queue = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
           PTHREAD_COND_INITIALIZER, {0}, 0, 0};

static void *
producer(void *arg)
{
    (void)arg;
    uint32_t state = 12345;
    for (int i = 0; i < HANDOFFS; i++) {
        size_t size = next_random(&state) % MAX_SIZE + sizeof(size_t);
        unsigned char *p = malloc(size);
        if (!p)
            die("malloc");
        memcpy(p, &size, sizeof size);
        memset(p + sizeof size, (unsigned char)size, size - sizeof size);
        pthread_mutex_lock(&queue.lock);
        while (queue.count == QUEUE_LEN)
            pthread_cond_wait(&queue.not_full, &queue.lock);
        queue.items[(queue.head + queue.count++) % QUEUE_LEN] = p;
        pthread_cond_signal(&queue.not_empty);
        pthread_mutex_unlock(&queue.lock);
    }
    return NULL;
}

static void *
consumer(void *arg)
{
    size_t *total = arg;
    for (int i = 0; i < HANDOFFS; i++) {
        pthread_mutex_lock(&queue.lock);
        while (queue.count == 0)
            pthread_cond_wait(&queue.not_empty, &queue.lock);
        unsigned char *p = queue.items[queue.head];
        queue.head = (queue.head + 1) % QUEUE_LEN;
        queue.count--;
        pthread_cond_signal(&queue.not_full);
        pthread_mutex_unlock(&queue.lock);

        size_t size;
        memcpy(&size, p, sizeof size);
        for (size_t j = sizeof size; j < size; j++)
            if (p[j] != (unsigned char)size)
                die("a block changed in the queue");
        *total += size;
        free(p); /* made by the producer thread */
    }
    return NULL;
}

int
main(void)
{
    pthread_t workers[WORKERS], prod, cons;
    size_t total = 0;
    for (int i = 0; i < WORKERS; i++)
        if (pthread_create(&workers[i], NULL, worker,
                           (void *)(uintptr_t)(i + 1)) != 0)
            die("pthread_create");
    if (pthread_create(&prod, NULL, producer, NULL) != 0 ||
        pthread_create(&cons, NULL, consumer, &total) != 0)
        die("pthread_create");
    for (int i = 0; i < WORKERS; i++)
        pthread_join(workers[i], NULL);
    pthread_join(prod, NULL);
    pthread_join(cons, NULL);
    printf("handed over %zu bytes\n", total);
    puts("threads done");
    return 0;
}
