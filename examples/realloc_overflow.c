/* SPDX-License-Identifier: MIT */
/*
 * realloc_overflow.c -- a block grown by realloc() from 10 to 20 bytes,
 * then written at index 20, one past its new end.  The checks follow
 * the block through realloc(): the trailing pad bytes move with the new
 * size.  `deadbyte -- ./realloc_overflow` stops it at the free():
 *
 *   Debug memory block at address p=0x...: API 'r' (malloc)
 *       20 bytes originally requested
 *       The 8 pad bytes at tail=0x... are not all FORBIDDENBYTE (0xfd):
 *           at tail+0: 0x21 *** OUCH
 *   ...
 *   deadbyte: buffer overflow: something wrote past the end of the
 *   20-byte block, at p+20
 *   Fatal error: free: bad trailing pad byte
 *
 * and the launcher exits 134 (SIGABRT).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hides where P came from, so that GCC does not see the bad index. */
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(void)
{
    volatile size_t end = 20;
    char *buf = malloc(10);
    if (!buf)
        return 1;
    memset(buf, 'a', 10);
    char *grown = launder(realloc(buf, 20));
    if (!grown)
        return 1;
    memset(grown + 10, 'b', 10);
    printf("%.20s\n", grown);
    fflush(stdout);
    grown[end] = '!'; /* BUG: the last valid index is 19 */
    free(launder(grown)); /* launder: the bad write above must stay */
    return 0;
}
