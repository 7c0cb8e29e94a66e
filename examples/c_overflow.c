/* SPDX-License-Identifier: MIT */
/*
 * c_overflow.c -- an off-by-one in a plain malloc() program, run under
 * the launcher: room for 16 characters, 17 written (the NUL of the copy
 * lands on the first trailing pad byte).  The program does not link
 * libdeadbyte; `deadbyte -- ./c_overflow` stops it at the free():
 *
 *   Debug memory block at address p=0x...: API 'r' (malloc)
 *       16 bytes originally requested
 *       The 8 pad bytes at tail=0x... are not all FORBIDDENBYTE (0xfd):
 *           at tail+0: 0x00 *** OUCH
 *   ...
 *   deadbyte: buffer overflow: something wrote past the end of the
 *   16-byte block, at p+16
 *   Fatal error: free: bad trailing pad byte
 *
 * and the launcher exits 134 (SIGABRT).
 */
#include <stdio.h>
#include <stdlib.h>

/* Hides where P came from, so that GCC does not warn about the bug. */
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

__attribute__((noipa)) static void
fill_name(char *buf, const char *src)
{
    /* BUG: no room for the NUL of a 16-character name */
    while ((*buf++ = *src++) != '\0')
        ;
}

int
main(void)
{
    char *name = launder(malloc(16));
    if (!name)
        return 1;
    puts("copying a 16-character name into 16 bytes");
    fflush(stdout);
    fill_name(name, "sixteen chars!!!");
    free(name); /* deadbyte --format=sarif points here */
    return 0;
}
