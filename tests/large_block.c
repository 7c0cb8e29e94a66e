/* SPDX-License-Identifier: MIT */
/*
 * large_block.c -- large blocks under the launcher, for tests/scale.sh.
 *
 *   large_block clean BYTES     malloc, grow by 1 MiB, free; the fills
 *                               and pads read as deadbyte(7) says, and
 *                               the process never had BYTES resident;
 *                               prints the milliseconds it took
 *   large_block overflow BYTES  writes one byte past the end, then frees
 *   large_block after-free BYTES  writes into the first KiB after free
 *
 * It reads deadbyte's block layout (the 0xCD and 0xFD bytes around p),
 * so it is only meaningful under the launcher.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define END 4096           /* bytes filled at each end of a large block */
#define GROWTH (1u << 20)  /* the realloc adds as much */

/* Pointers pass through here, so that the compiler cannot see they are
 * malloc's: it would drop a store just before free(), and warn about the
 * reads of uninitialised bytes and the write after free that this test
 * makes on purpose. */
static void *volatile hidden;

static unsigned char *
hide(void *p)
{
    hidden = p;
    return hidden;
}

/* Peak resident memory of the process, in bytes, from /proc. */
static unsigned long long
peak_resident(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long kib = 0;
    while (status && fgets(line, sizeof line, status))
        if (sscanf(line, "VmHWM: %llu kB", &kib) == 1)
            break;
    if (status)
        fclose(status);
    return kib * 1024;
}

/* Fails (exit 1) unless the N bytes at P are all BYTE. */
static void
expect(const unsigned char *p, size_t n, unsigned char byte, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != byte) {
            printf("%s: byte %zu is 0x%02x, not 0x%02x\n", what, i, p[i],
                   byte);
            exit(1);
        }
}

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: large_block clean|overflow|after-free BYTES\n");
        return 2;
    }
    size_t n = strtoull(argv[2], NULL, 10);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    unsigned char *p = hide(malloc(n));
    if (!p) {
        printf("malloc(%zu) failed\n", n);
        return 77;
    }
    if (strcmp(argv[1], "overflow") == 0) {
        p[n] = 'x';
        free(hide(p));
        return 0;
    }
    if (strcmp(argv[1], "after-free") == 0) {
        free(hide(p));
        p[100] = 'x';
        return 0;
    }
    expect(p - 7, 7, 0xfd, "leading pad");
    expect(p, END, 0xcd, "first bytes");
    expect(p + n - END, END, 0xcd, "last bytes");
    expect(p + n, 8, 0xfd, "trailing pad");
    unsigned char *q = hide(realloc(p, n + GROWTH));
    if (!q) {
        printf("realloc failed\n");
        return 1;
    }
    expect(q, END, 0xcd, "first bytes after realloc");
    expect(q + n, END, 0xcd, "first bytes of the tail realloc added");
    expect(q + n + GROWTH - END, END, 0xcd, "last bytes after realloc");
    expect(q + n + GROWTH, 8, 0xfd, "trailing pad after realloc");
    free(hide(q));
    clock_gettime(CLOCK_MONOTONIC, &end);
    unsigned long long peak = peak_resident();
    if (peak >= n / 4) {
        printf("peak resident memory %llu bytes for a block of %zu\n", peak,
               n);
        return 1;
    }
    printf("%ld\n", (long)((end.tv_sec - start.tv_sec) * 1000 +
                           (end.tv_nsec - start.tv_nsec) / 1000000));
    return 0;
}
