/* SPDX-License-Identifier: MIT */
/*
 * c_underflow.c -- a write one byte before a malloc() block (buf[-1]),
 * in a plain program run under the launcher.  `deadbyte -- ./c_underflow`
 * stops it at the free():
 *
 *   Debug memory block at address p=0x...: API 'r' (malloc)
 *       8 bytes originally requested
 *       The 7 pad bytes at p-7 are not all FORBIDDENBYTE (0xfd):
 *   ...
 *           at p-1: 0x2a *** OUCH
 *   ...
 *   deadbyte: buffer underflow: something wrote before the start of the
 *   block, at p-1
 *   Fatal error: free: bad leading pad byte
 *
 * and the launcher exits 134 (SIGABRT).
 */
#include <stdio.h>
#include <stdlib.h>

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
    volatile int start = -1;
    unsigned char *buf = launder(malloc(8));
    if (!buf)
        return 1;
    puts("filling 8 bytes from index -1");
    fflush(stdout);
    for (int i = start; i < 8; i++) /* BUG: i starts at -1 */
        ((volatile unsigned char *)buf)[i] = 42; /* not a memset() */
    free(buf);
    return 0;
}
