/* SPDX-License-Identifier: MIT */
/*
 * large_overread.c -- a loop that reads past the end of a large block.
 * The image holds 300 rows of 1000 pixels; the loop is told 310, and
 * reads on past the block's end until it reaches the PROT_NONE page that
 * deadbyte maps after every large block.  `deadbyte ./large_overread`
 * stops it there, at the faulting instruction:
 *
 *   Bad read at (most recent call first):
 *     #0 0x... in sum_pixels examples/large_overread.c:41
 *     #1 0x... in main examples/large_overread.c:55
 *   ...
 *   deadbyte: buffer overflow: a read at p+303088 of the 300000-byte
 *   block allocated with malloc (call #...), 3088 bytes past its end
 *   Fatal error: guard page: read past the end of a block
 *
 * and the launcher exits 134 (SIGABRT).  Without deadbyte the loop reads
 * whatever lies past the block, or dies of SIGSEGV somewhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 1000
#define HEIGHT 300

/* Hides where P came from and what N is, so that GCC neither warns about
 * the bug nor reasons about the bounds. */
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

__attribute__((noipa)) static unsigned long
sum_pixels(const unsigned char *pixels, size_t width, size_t height)
{
    unsigned long sum = 0;
    for (size_t i = 0; i < width * height; i++)
        sum += pixels[i]; /* BUG: reads past the end when height is wrong */
    return sum;
}

int
main(void)
{
    unsigned char *image = launder(malloc(WIDTH * HEIGHT));
    if (!image)
        return 1;
    memset(image, 1, WIDTH * HEIGHT);
    size_t *height = launder(&(size_t){HEIGHT + 10}); /* a wrong header */
    printf("checking a %dx%d image\n", WIDTH, HEIGHT);
    fflush(stdout);
    unsigned long sum = sum_pixels(image, WIDTH, *height);
    printf("sum %lu\n", sum);
    free(image);
    return 0;
}
