/* SPDX-License-Identifier: MIT */
/*
 * memalign_overflow.c -- a 64-byte-aligned block from posix_memalign()
 * written one byte past its 100 bytes.  The block must be aligned as
 * asked even with the debug header in front of it (the program prints
 * "aligned" only if it is), and its pad bytes are checked like any
 * other.  `deadbyte -- ./memalign_overflow` stops it at the free():
 *
 *   Debug memory block at address p=0x...: API ... (posix_memalign)
 *       100 bytes originally requested
 *       The 8 pad bytes at tail=0x... are not all FORBIDDENBYTE (0xfd):
 *           at tail+0: 0x78 *** OUCH
 *   ...
 *   deadbyte: buffer overflow: something wrote past the end of the
 *   100-byte block, at p+100
 *   Fatal error: free: bad trailing pad byte
 *
 * and the launcher exits 134 (SIGABRT).
 */
#include <stdint.h>
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
    volatile size_t end = 100;
    void *p = NULL;
    if (posix_memalign(&p, 64, 100) != 0)
        return 1;
    unsigned char *buf = launder(p);
    puts((uintptr_t)buf % 64 == 0 ? "aligned" : "NOT aligned");
    fflush(stdout);
    memset(buf, 'x', 100);
    buf[end] = 'x'; /* BUG: the last valid index is 99 */
    free(launder(buf)); /* launder: the memset above must stay */
    return 0;
}
