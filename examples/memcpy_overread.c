/* SPDX-License-Identifier: MIT */
/*
 * memcpy_overread.c -- a memcpy() that reads past the end of a block: 20
 * bytes from offset 10 of a 16-byte block.  Nothing is written out of
 * bounds, so no check of the block's pads could see it; deadbyte checks
 * the ranges that memcpy is given, and stops the program at the call:
 *
 *   Bad read by memcpy at (most recent call first):
 *     #0 ... in main examples/memcpy_overread.c:LINE
 *   deadbyte: buffer overflow: memcpy read 20 bytes at p+10..p+30 of the
 *   16-byte block allocated with malloc (call #N), 14 bytes past its end
 *   Fatal error: memcpy: read past the end of a block
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hides where P came from, so that the compiler keeps every call. */
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(void)
{
    char *record = launder(malloc(16));
    if (!record)
        return 1;
    strcpy(record, "id=42;name=ok");
    volatile size_t field_len = 20;
    char field[32];
    memcpy(field, record + 10, field_len); /* BUG: the record has 6 left */
    printf("%.2s\n", field);
    free(record);
    return 0;
}
