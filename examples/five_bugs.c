/* SPDX-License-Identifier: MIT */
/*
 * five_bugs.c -- five different bugs in one program, for --keep-going:
 * an overflow found when the block is freed, an underflow, a double free,
 * a memcpy() that reads past the end of a block, and a free() of an array
 * on the stack.  Without --keep-going deadbyte stops at the first; with
 *
 *   deadbyte --keep-going ./examples/five_bugs
 *
 * it reports each of them once, the program runs to its last line, and
 * the run exits with 1 (--error-exitcode).
 */
#include <stddef.h>
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

/* Bug 1: one byte stored past the end, found by free().  Stores
 * through a volatile pointer: no compiler may leave them out. */
static void
overflow(void)
{
    volatile char *name = launder(malloc(16));
    if (!name)
        exit(1);
    size_t len = 16;
    for (size_t i = 0; i < len; i++)
        name[i] = 'a';
    name[len] = '\0'; /* BUG: the terminator is the 17th byte */
    free(launder((void *)name));
}

/* Bug 2: a byte stored before the start, found by free(). */
static void
underflow(void)
{
    volatile char *text = launder(malloc(24));
    if (!text)
        exit(1);
    volatile ptrdiff_t at = -1;
    text[at] = '#'; /* BUG: index -1 */
    free(launder((void *)text));
}

/* Bug 3: a block freed twice. */
static void
double_free(void)
{
    char *buffer = malloc(32);
    if (!buffer)
        exit(1);
    char *alias = launder(buffer);
    free(buffer);
    free(alias); /* BUG: freed already */
}

/* Bug 4: memcpy() reads 20 bytes where the block has 6. */
static void
overread(void)
{
    char *record = launder(malloc(16));
    if (!record)
        exit(1);
    strcpy(record, "id=42;name=ok");
    volatile size_t field_len = 20;
    char field[32];
    memcpy(field, record + 10, field_len); /* BUG: reads past the end */
    printf("field: %.2s\n", field);
    free(record);
}

/* Bug 5: free() of an array on the stack. */
static void
free_stack(void)
{
    char line[64];
    snprintf(line, sizeof line, "on the stack");
    free(launder(line)); /* BUG: never malloc'ed */
}

int
main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    overflow();
    underflow();
    double_free();
    overread();
    free_stack();
    puts("five_bugs: done");
    return 0;
}
