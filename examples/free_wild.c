/* SPDX-License-Identifier: MIT */
/*
 * free_wild.c -- free() of a pointer that was never anything: an integer
 * taken for an address.  deadbyte does not read it:
 *
 *   Pointer 0x1000 was not handed out by deadbyte: it lies in no mapping
 *   of the process.
 *   Fatal error: free: invalid pointer
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int
main(void)
{
    volatile uintptr_t handle = 0x1000; /* an id, mistaken for a pointer */
    puts("freeing a handle");
    fflush(stdout);
    free((void *)handle); /* BUG */
    return 0;
}
