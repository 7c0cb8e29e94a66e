/* SPDX-License-Identifier: MIT */
/*
 * underflow.c -- an index that goes one below zero.  deadbyte stops at
 * the free:
 *
 *   The 7 pad bytes at p-7 are not all FORBIDDENBYTE (0xfd):
 *   ...
 *       at p-1: 0x00 *** OUCH
 *   ...
 *   deadbyte: buffer underflow: something wrote before the start of the
 *   block, at p-1
 *   Fatal error: deadbyte_obj_free: bad leading pad byte
 */
#include <deadbyte.h>
#include <stdio.h>

int
main(void)
{
    int count = 8;
    unsigned char *v = deadbyte_obj_calloc((size_t)count, 1);
    for (int i = count - 1; i >= -1; i--) /* BUG: i reaches -1 */
        v[i] = 0;
    puts("zeroed");
    fflush(stdout);
    deadbyte_obj_free(v);
    return 0;
}
