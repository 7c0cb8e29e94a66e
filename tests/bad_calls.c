/* SPDX-License-Identifier: MIT */
/*
 * bad_calls.c -- one bad C library call per case, named by the first
 * argument, for tests/intercept.sh, which runs each under the launcher
 * and compares deadbyte's one-line diagnosis with the one expected.
 * Built with -fno-builtin, so that every call is made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

void *__memcpy_chk(void *, const void *, size_t, size_t);
int __snprintf_chk(char *, size_t, int, size_t, const char *, ...);

/* Hides where P came from, so that the compiler keeps every call. */
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

/* A block of N bytes, each X. */
static char *
filled(size_t n, char x)
{
    char *p = launder(malloc(n));
    if (!p)
        exit(2);
    for (size_t i = 0; i < n; i++)
        ((volatile char *)p)[i] = x;
    return p;
}

int
main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    const char *c = argv[1];
    char stack[64] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    char *p = filled(8, 'a');
    char *q = filled(8, 'a');
    volatile size_t n16 = 16, n100 = 100;
    int r = 0;
    if (strcmp(c, "memcmp_equal_past_end") == 0)
        r = memcmp(p, stack, n16); /* equal up to p's end */
    else if (strcmp(c, "memcmp_second") == 0)
        r = memcmp(stack, p, n16);
    else if (strcmp(c, "strcmp_unterminated") == 0)
        r = strcmp(p, q);
    else if (strcmp(c, "strncmp_unterminated") == 0)
        r = strncmp(stack, p, n100);
    else if (strcmp(c, "memchr_not_found") == 0)
        r = memchr(p, 'z', n16) != NULL;
    else if (strcmp(c, "strchr_not_found") == 0)
        r = strchr(p, 'z') != NULL;
    else if (strcmp(c, "strspn_all") == 0)
        r = (int)strspn(p, "a");
    else if (strcmp(c, "strstr_unterminated") == 0)
        r = strstr(p, "b") != NULL;
    else if (strcmp(c, "memcpy_both_bad") == 0)
        memcpy(q, p, n16); /* the read comes first */
    else if (strcmp(c, "memset_underflow") == 0)
        memset(p - 1, 0, 2);
    else if (strcmp(c, "memmove_overflow") == 0)
        memmove(p + 1, p, 8);
    else if (strcmp(c, "strcat_overflow") == 0) {
        p[4] = '\0';
        strcat(p, "xyzw");
    } else if (strcmp(c, "strncpy_overflow") == 0)
        strncpy(p, "ab", n16);
    else if (strcmp(c, "strdup_unterminated") == 0)
        free(strdup(p));
    else if (strcmp(c, "snprintf_overflow") == 0)
        r = snprintf(p, n100, "%s", "0123456789");
    else if (strcmp(c, "snprintf_chk_overflow") == 0)
        r = __snprintf_chk(p, n100, 1, (size_t)-1, "%d", 123456789);
    else if (strcmp(c, "sprintf_overflow") == 0)
        r = sprintf(p, "%d", 123456789);
    else if (strcmp(c, "memcpy_chk_overflow") == 0)
        __memcpy_chk(p, stack, n16, sizeof stack);
    else if (strcmp(c, "fgets_overflow") == 0)
        r = fgets(p, (int)n16, stdin) != NULL;
    else if (strcmp(c, "write_freed") == 0) {
        free(q);
        r = (int)write(1, q, 4);
    } else if (strcmp(c, "strlen_freed") == 0) {
        free(q);
        r = (int)strlen(q);
    } else if (strcmp(c, "wcslen_unterminated") == 0) {
        wchar_t *w = launder(malloc(2 * sizeof(wchar_t)));
        w[0] = L'a';
        w[1] = L'b';
        r = (int)wcslen(w);
    } else
        return 2;
    printf("not caught: %d\n", r);
    return 0;
}
