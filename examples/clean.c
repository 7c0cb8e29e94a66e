/* SPDX-License-Identifier: MIT */
/*
 * clean.c -- every API used correctly: deadbyte says nothing and the
 * program exits 0.
 */
#include <deadbyte.h>
#include <stdio.h>
#include <string.h>

struct point {
    double x, y;
};

int
main(void)
{
    char *line = deadbyte_raw_malloc(6);
    memcpy(line, "hello", 6);
    line = deadbyte_raw_realloc(line, 64);
    strcat(line, ", world");

    struct point *pts = DEADBYTE_NEW(struct point, 2);
    pts[1].x = 2.5;
    DEADBYTE_RESIZE(pts, struct point, 100);
    pts[99].y = pts[1].x;

    int *zeros = deadbyte_obj_calloc(10, sizeof *zeros);
    void *empty = deadbyte_mem_malloc(0);

    printf("%s %.1f %d\n", line, pts[99].y, zeros[9]);
    deadbyte_raw_free(line);
    DEADBYTE_DEL(pts);
    deadbyte_obj_free(zeros);
    deadbyte_mem_free(empty);
    return 0;
}
