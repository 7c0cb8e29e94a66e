/* SPDX-License-Identifier: MIT */
/*
 * exit_shared_root.c -- a correct program whose only pointers to its
 * blocks are in shared memory: a table in MAP_SHARED | MAP_ANONYMOUS
 * memory (as a server keeps for the workers it forks), and one in a
 * memfd_create file mapped shared.  Nothing leaks: the leak scan must
 * read those mappings as roots (it skipped them, and reported both
 * blocks as direct leaks).  Prints "done", exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A shared table of one page, from mmap with these flags and FD. */
static void **
shared_table(int flags, int fd)
{
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, flags, fd, 0);
    return m == MAP_FAILED ? NULL : m;
}

int
main(void)
{
    void **anonymous = shared_table(MAP_SHARED | MAP_ANONYMOUS, -1);
    int fd = memfd_create("exit_shared_root", 0);
    if (!anonymous || fd < 0 || ftruncate(fd, 4096) != 0)
        return 1;
    void **in_file = shared_table(MAP_SHARED, fd);
    close(fd);
    if (!in_file)
        return 1;
    anonymous[7] = malloc(100);
    in_file[9] = malloc(200);
    if (!anonymous[7] || !in_file[9])
        return 1;
    memset(anonymous[7], 1, 100);
    memset(in_file[9], 2, 200);
    puts("done");
    return 0;
}
