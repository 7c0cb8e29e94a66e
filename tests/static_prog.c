/* SPDX-License-Identifier: MIT */
/* static_prog.c -- linked statically: the launcher must refuse it, since
 * there is no dynamic loader to preload the hooks. */
#include <stdio.h>

int
main(void)
{
    puts("static");
    return 0;
}
