/* SPDX-License-Identifier: MIT */
/*
 * api_misuse.c -- a buffer from the mem domain released through the raw
 * domain.  deadbyte stops at the free:
 *
 *   Debug memory block at address p=0x...: API 'm' (deadbyte_mem_malloc)
 *       16 bytes originally requested
 *   ...
 *   deadbyte: API mismatch: a block allocated with deadbyte_mem_malloc was
 *   released with deadbyte_raw_free
 *   Fatal error: deadbyte_raw_free: bad ID: Allocated using API 'm',
 *   verified using API 'r'
 */
#include <deadbyte.h>
#include <stdio.h>
#include <string.h>

int
main(void)
{
    char *name = deadbyte_mem_malloc(16);
    strcpy(name, "deadbyte");
    printf("hello, %s\n", name);
    fflush(stdout);
    deadbyte_raw_free(name); /* BUG: allocated in mem, released in raw */
    return 0;
}
