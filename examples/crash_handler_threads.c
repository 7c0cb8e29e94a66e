/* SPDX-License-Identifier: MIT */
/*
 * crash_handler_threads.c -- a program that checks its heap after a phase
 * of work (deadbyte_check_heap(), when run under deadbyte) and whose
 * SIGABRT handler, on a crash, asks its logger thread to write a last
 * line and then releases its records.  The check finds an overflow; while
 * deadbyte reports it and aborts, the logger thread allocates and frees
 * and the handler frees blocks beside the damaged one.  Neither may hang:
 * deadbyte holds none of its locks while it reports.
 *
 *   crash handler: the logger thread wrote its last line
 *   crash handler: records released
 *   ...
 *   Fatal error: deadbyte_check_heap: bad trailing pad byte
 *
 * and the launcher exits 134 (SIGABRT).  With the argument "clean" it
 * writes no byte too many, and runs as it does without deadbyte.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* deadbyte's heap check, when the launcher has loaded deadbyte. */
extern int deadbyte_check_heap(void) __attribute__((weak));

#define RECORDS 8
#define DAMAGED 3
static char *records[RECORDS];
/* What the logger is asked: 0 nothing yet, CRASHED or DONE. */
enum { CRASHED = 1, DONE = 2 };
static atomic_int asked, answered;

/* Hides where P came from, so that GCC does not warn about the bug. */
__attribute__((noinline)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

static void
say(const char *line)
{
    ssize_t ignored = write(STDERR_FILENO, line, strlen(line));
    (void)ignored;
}

static void
pause_a_millisecond(void)
{
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
}

/* The logger: after a crash, a last line in a buffer of its own; then
 * the records next to the damaged one (the same region of the heap) go. */
static void *
logger(void *arg)
{
    (void)arg;
    while (!atomic_load(&asked))
        pause_a_millisecond();
    char *line = atomic_load(&asked) == CRASHED ? malloc(64) : NULL;
    if (line) {
        strcpy(line, "crash handler: the logger thread wrote its last line\n");
        say(line);
        free(line);
    }
    free(records[DAMAGED - 1]);
    free(records[DAMAGED + 1]);
    atomic_store(&answered, 1);
    return NULL;
}

static void
on_abort(int sig)
{
    (void)sig;
    atomic_store(&asked, CRASHED);
    for (int i = 0; i < 10000 && !atomic_load(&answered); i++)
        pause_a_millisecond();
    if (!atomic_load(&answered))
        say("crash handler: the logger thread is stuck\n");
    free(records[DAMAGED - 2]);
    free(records[DAMAGED + 2]);
    say("crash handler: records released\n");
}

int
main(int argc, char **argv)
{
    /* BUG: one byte too many, unless asked to run clean. */
    size_t written = argc > 1 && strcmp(argv[1], "clean") == 0 ? 32 : 33;

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_abort;
    sigemptyset(&action.sa_mask);
    sigaction(SIGABRT, &action, NULL);

    for (int i = 0; i < RECORDS; i++) {
        records[i] = malloc(32);
        if (!records[i])
            return 1;
        memset(records[i], 0, 32);
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, logger, NULL) != 0)
        return 1;
    char *damaged = launder(records[DAMAGED]);
    for (size_t i = 0; i < written; i++) /* a loop: no call to check */
        ((volatile char *)damaged)[i] = 'x';
    if (deadbyte_check_heap)
        deadbyte_check_heap();

    atomic_store(&asked, DONE); /* no crash: let the logger finish */
    pthread_join(thread, NULL);
    for (int i = 0; i < RECORDS; i++)
        if (i < DAMAGED - 1 || i > DAMAGED + 1)
            free(records[i]);
    if (written == 32)
        free(records[DAMAGED]); /* the damaged one leaks: glibc could choke */
    return 0;
}
