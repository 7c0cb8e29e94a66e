/* SPDX-License-Identifier: MIT */
/*
 * heap_calls.c -- paths of deadbyte's own heap that only a program under
 * the launcher reaches; heap_calls.sh runs it.  MODE is one of:
 *
 *   mallinfo     mallinfo2 counts 1000 blocks of 100 bytes in uordblks,
 *                and a 1 MiB block in hblks; malloc_trim gives back the
 *                empty spans once they are freed (--quarantine 0);
 *                mallopt is accepted.  Prints "ok" or what was wrong.
 *   header       free(p - 8) of a 100-byte block: a pointer into its
 *                header.  Prints the block first.
 *   many-leave   with --quarantine 64K: 2000 blocks of 16 bytes freed,
 *                the 1001st (still held) written after its free, then a
 *                60000-byte block freed, which pushes them all out at
 *                once, more than a handful at a time.
 *   fork-exec    a block overflowed, then a child that execs /bin/true
 *                without touching the heap, then exit: one report.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Through a volatile pointer, so that no compiler drops a store it
 * could prove out of bounds or after free. */
static void
poke(char *p, size_t at, char c)
{
    char *volatile q = p;
    q[at] = c;
}

static int
mallinfo_mode(void)
{
    static void *blocks[1000];
    struct mallinfo2 before = mallinfo2();
    for (int i = 0; i < 1000; i++)
        blocks[i] = malloc(100);
    struct mallinfo2 small = mallinfo2();
    void *volatile big = malloc(1 << 20);
    struct mallinfo2 large = mallinfo2();
    if (small.uordblks < before.uordblks + 1000 * 100)
        return puts("uordblks did not count the blocks"), 1;
    if (large.hblks != small.hblks + 1 || large.hblkhd < (1 << 20))
        return puts("hblks or hblkhd did not count the large block"), 1;
    if (mallopt(M_TRIM_THRESHOLD, 1 << 20) != 1)
        return puts("mallopt refused"), 1;
    for (int i = 0; i < 1000; i++)
        free(blocks[i]);
    free(big);
    struct mallinfo2 after = mallinfo2();
    if (after.hblks != before.hblks)
        return puts("the large block is still counted"), 1;
    (void)malloc_trim(0); /* 0 or 1: spans may have gone back already */
    puts("ok");
    return 0;
}

static int
header_mode(void)
{
    char *p = malloc(100);
    printf("block p=%p\n", (void *)p);
    fflush(stdout);
    free(p - 8);
    return 0;
}

static int
many_leave_mode(void)
{
    static char *blocks[2000];
    for (int i = 0; i < 2000; i++)
        blocks[i] = malloc(16);
    for (int i = 0; i < 2000; i++)
        free(blocks[i]);
    poke(blocks[1000], 3, 'x');
    char *volatile large = malloc(60000); /* volatile: kept, not elided */
    free(large);
    return 0;
}

static int
fork_exec_mode(void)
{
    char *p = malloc(8);
    poke(p, 8, 'x');
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    int status;
    waitpid(child, &status, 0);
    printf("child status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "mallinfo") == 0)
        return mallinfo_mode();
    if (strcmp(mode, "header") == 0)
        return header_mode();
    if (strcmp(mode, "many-leave") == 0)
        return many_leave_mode();
    if (strcmp(mode, "fork-exec") == 0)
        return fork_exec_mode();
    fprintf(stderr, "usage: heap_calls mallinfo|header|many-leave|fork-exec\n");
    return 2;
}
