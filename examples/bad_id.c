/* SPDX-License-Identifier: MIT */
/*
 * bad_id.c -- an underflow of 8 zero bytes, which wipes out the API id
 * of the block (p-8 on a 64-bit machine) and the 7 pad bytes after it.
 * deadbyte names the id it recorded:
 *
 *   deadbyte: the API id of the block was overwritten (deadbyte recorded
 *   'r'): an underflow or a wild write reached the header
 *   Fatal error: free: bad ID: Allocated using API '\x00', verified using
 *   API 'r'
 */
#include <stdio.h>
#include <stdlib.h>

/* Hides where P came from, so that the compiler keeps the bad stores. */
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(void)
{
    volatile int start = -(int)sizeof(size_t);
    unsigned char *buf = launder(calloc(16, 1));
    if (!buf)
        return 1;
    puts("clearing 24 bytes from index -8");
    fflush(stdout);
    for (int i = start; i < 16; i++) /* BUG: i starts at -8 */
        ((volatile unsigned char *)buf)[i] = 0; /* not a memset() */
    free(buf);
    return 0;
}
