/* SPDX-License-Identifier: MIT */
/*
 * read_overflow.c -- read() of up to 64 bytes into a 16-byte block.
 * deadbyte checks the whole size that read() is given before the call
 * (as Valgrind and glibc's fortified read do), whatever the file holds:
 *
 *   Bad write by read at (most recent call first):
 *     #0 ... in main examples/read_overflow.c:LINE
 *   deadbyte: buffer overflow: read wrote 64 bytes at p+0..p+64 of the
 *   16-byte block allocated with malloc (call #N), 48 bytes past its end
 *   Fatal error: read: write past the end of a block
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define BUFFER_SIZE 64

/* Hides where P came from, so that GCC neither warns about the bug nor
 * fortifies read() against it. */
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main(void)
{
    char *buf = launder(malloc(16)); /* BUG: BUFFER_SIZE was meant */
    int fd = open("/dev/zero", O_RDONLY);
    if (!buf || fd < 0)
        return 1;
    ssize_t got = read(fd, buf, BUFFER_SIZE);
    printf("%zd\n", got);
    close(fd);
    free(buf);
    return 0;
}
