/* SPDX-License-Identifier: MIT */
/*
 * exit_file_past_eof.c -- a correct program that maps a file writable,
 * shared and private, for more pages than the file has, and never
 * touches the pages past its end (a load there raises SIGBUS).  It holds
 * a block, so that the leak scan at exit has work to do, and exits 0
 * saying "done"; under deadbyte it must too, with no report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Not static: the compiler may not drop the store. */
char *kept;

int
main(void)
{
    FILE *file = tmpfile(); /* removed when the program ends */
    if (!file || fputs("one short line\n", file) == EOF || fflush(file))
        return 1;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *shared = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE, MAP_SHARED,
                        fileno(file), 0);
    char *private = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE, fileno(file), 0);
    if (shared == MAP_FAILED || private == MAP_FAILED)
        return 1;
    if (!(kept = malloc(32)))
        return 1;
    private[0] = shared[0]; /* the first page only: it holds the file */
    printf("done %c\n", private[0]);
    return 0;
}
