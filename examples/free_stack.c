/* SPDX-License-Identifier: MIT */
/*
 * free_stack.c -- free() of an array on the stack.  deadbyte says the
 * pointer was never handed out, and where it lies, without touching it:
 *
 *   Pointer 0x7ffc... was not handed out by deadbyte: it lies on the stack
 *   of the main thread.
 *   Fatal error: free: invalid pointer
 */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(void)
{
    char line[64];
    snprintf(line, sizeof line, "on the stack");
    puts(line);
    fflush(stdout);
    free(launder(line)); /* BUG: line was never malloc'ed */
    return 0;
}
