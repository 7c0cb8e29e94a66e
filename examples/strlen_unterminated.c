/* SPDX-License-Identifier: MIT */
/*
 * strlen_unterminated.c -- strlen() of a string that fills its block
 * with no terminating NUL: it reads on past the end, looking for one.
 * deadbyte measures the string up to the end of the block only, and stops
 * the program at the call:
 *
 *   Bad read by strlen at (most recent call first):
 *     #0 ... in main examples/strlen_unterminated.c:LINE
 *   deadbyte: buffer overflow: strlen read 6 bytes at p+0..p+6 of the
 *   5-byte block allocated with malloc (call #N), 1 byte past its end
 *   Fatal error: strlen: read past the end of a block
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
    const char *word = "hello";
    char *copy = launder(malloc(strlen(word))); /* BUG: no room for NUL */
    if (!copy)
        return 1;
    for (size_t i = 0; word[i]; i++)
        copy[i] = word[i];
    printf("%zu\n", strlen(copy));
    free(copy);
    return 0;
}
