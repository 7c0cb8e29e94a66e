/* SPDX-License-Identifier: MIT */
/*
 * setuid_prog.c -- a program linked with libdeadbyte, made set-user-ID
 * root by tests/setuid.sh.  "probe" says whether it runs in secure
 * execution (so the test can tell a nosuid file system); "overflow"
 * overflows a block, so that deadbyte writes a report; "clean" does the
 * same work correctly.
 */
#include <deadbyte.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    if (strcmp(what, "probe") == 0) {
        printf("euid=%d secure=%lu\n", (int)geteuid(), getauxval(AT_SECURE));
        return 0;
    }
    if (strcmp(what, "overflow") != 0 && strcmp(what, "clean") != 0) {
        fprintf(stderr, "usage: setuid_prog probe|overflow|clean\n");
        return 2;
    }
    size_t fill = strcmp(what, "overflow") == 0 ? 17 : 16;
    char *name = deadbyte_mem_malloc(16);
    if (!name)
        return 1;
    memset(name, 'x', fill);
    deadbyte_mem_free(name);
    return 0;
}
