/* SPDX-License-Identifier: MIT */
/*
 * leak.c -- a list whose head pointer is overwritten: the nodes are lost.
 * The first node is leaked directly (nothing points to it any more); the
 * two after it are leaked indirectly (only lost nodes point to them).
 * The table kept in a global is still reachable, and is not reported.
 *
 *   Direct leak of 24 bytes in 1 block, allocated with malloc; ...
 *   Memory block allocated at (most recent call first):
 *     #0 ... in push examples/leak.c:LINE
 *   Indirect leak of 48 bytes in 2 blocks, allocated with malloc; ...
 *   deadbyte: 72 bytes leaked in 3 blocks in 1 process
 *
 * A leak does not change the exit status unless --leak-exitcode says so.
 *
 * Like LeakSanitizer, deadbyte scans memory conservatively: a stale copy
 * of a pointer in a dead stack frame makes its block look reachable.  So
 * the list is lost inside a function, whose stack is then written over.
 */
#include <stdio.h>
#include <stdlib.h>

struct node {
    struct node *next;
    long value;
    long pad;
};

/* Reachable from this global until exit: not a leak. */
long *table;

__attribute__((noipa)) static struct node *
push(struct node *head, long value)
{
    struct node *n = malloc(sizeof *n);
    if (!n)
        exit(1);
    n->next = head;
    n->value = value;
    return n;
}

__attribute__((noipa)) static void
lose_a_list(void)
{
    /* volatile: one call site at every optimisation level (an unrolled
     * loop would make three, and three groups in the report). */
    volatile long count = 3;
    struct node *list = NULL;
    for (long i = 0; i < count; i++)
        list = push(list, i);
    printf("list of 3, head %ld\n", list->value);
} /* BUG: the nodes are never freed, and the last pointer to them is gone */

/* Overwrite the stack where lose_a_list() ran. */
__attribute__((noipa)) static void
scrub_stack(void)
{
    volatile char junk[16384];
    for (size_t i = 0; i < sizeof junk; i++) /* volatile: not optimised away */
        junk[i] = 0;
}

int
main(void)
{
    table = calloc(8, sizeof *table);
    lose_a_list();
    scrub_stack();
    return 0;
}
