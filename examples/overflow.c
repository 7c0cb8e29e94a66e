/* SPDX-License-Identifier: MIT */
/*
 * overflow.c -- a classic off-by-one: room for 16 characters, 17 written
 * (the terminating NUL lands on the first trailing pad byte).  deadbyte
 * stops at the free:
 *
 *   The 8 pad bytes at tail=0x... are not all FORBIDDENBYTE (0xfd):
 *       at tail+0: 0x00 *** OUCH
 *   ...
 *   deadbyte: buffer overflow: something wrote past the end of the
 *   16-byte block, at p+16
 *   Fatal error: deadbyte_mem_free: bad trailing pad byte
 */
#include <deadbyte.h>
#include <stdio.h>
#include <string.h>

static void
fill_name(char *buf, const char *src)
{
    strcpy(buf, src); /* BUG: no room for the NUL of a 16-character name */
}

int
main(void)
{
    char *name = deadbyte_mem_malloc(16);
    fill_name(name, "sixteen chars!!!");
    printf("%.16s\n", name);
    fflush(stdout);
    deadbyte_mem_free(name);
    return 0;
}
