/* SPDX-License-Identifier: MIT */
/*
 * serial_overflow.c -- a 20-byte overflow: past the 8 trailing pad bytes
 * of the block, through the 8 bytes of its serial number, and beyond.
 * The serial number in the block is garbage then; deadbyte says that the
 * damage ran into it, and gives the number it recorded when it made the
 * block, the same as in its --break-at line:
 *
 *   The 8 bytes after the pad, the block's serial number, are
 *   damaged too (they read 0x4141414141414141): the overflow ran
 *   through the pad into them.
 *   The block was made by call #1 to debug malloc/realloc (deadbyte's
 *   record; the block's own copy is damaged).
 *   ...
 *   To stop when this block is allocated, rerun with:
 *   deadbyte --break-at 1 ./examples/serial_overflow
 *
 * With an argument N it writes N bytes past the end instead: up to 8
 * leave the serial number as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hides where P came from, so that GCC does not warn about the bug. */
__attribute__((noinline)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

__attribute__((noinline)) static void
fill(char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) /* a loop: no call to check */
        ((volatile char *)buf)[i] = 'A';
}

int
main(int argc, char **argv)
{
    size_t past_end = argc > 1 ? strtoul(argv[1], NULL, 10) : 20;
    char *line = launder(malloc(16));
    if (!line)
        return 1;
    printf("writing %zu bytes into 16\n", 16 + past_end);
    fflush(stdout);
    fill(line, 16 + past_end); /* BUG: past the end */
    free(line);
    return 0;
}
