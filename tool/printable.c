/* SPDX-License-Identifier: MIT */
/*
 * printable.c -- quote what the user typed, or what the environment
 * holds, without letting a stray byte into the terminal: a message that
 * prints "invalid option '-^D'" says nothing, and an escape sequence in
 * an argument could rewrite the screen.
 */
#include "config.h"

#include "printable.h"

#include <stddef.h>
#include <stdio.h>

#define SHOWN_MAX 200 /* characters of TEXT shown before "..." */
#define BUFFERS 4

/* The length of the well-formed, printable UTF-8 sequence at S (a lead
 * byte of 0x80 or more), or 0. */
static size_t
utf8_length(const unsigned char *s)
{
    size_t len;
    unsigned char low = 0x80, high = 0xbf; /* the second byte's range */
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4;
    else
        return 0;
    if (s[0] == 0xc2)
        low = 0xa0; /* U+0080..U+009F are the C1 controls */
    else if (s[0] == 0xe0)
        low = 0xa0; /* overlong */
    else if (s[0] == 0xed)
        high = 0x9f; /* surrogates */
    else if (s[0] == 0xf0)
        low = 0x90; /* overlong */
    else if (s[0] == 0xf4)
        high = 0x8f; /* past U+10FFFF */
    if (s[1] < low || s[1] > high)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

const char *
printable(const char *text)
{
    static char buffers[BUFFERS][SHOWN_MAX * 4 + 8];
    static unsigned next;
    char *out = buffers[next++ % BUFFERS];
    size_t used = 0, shown = 0;
    const unsigned char *s = (const unsigned char *)text;
    while (*s && shown < SHOWN_MAX) {
        size_t len = *s >= 0x80 ? utf8_length(s) : 0;
        if (len) {
            for (size_t i = 0; i < len; i++)
                out[used++] = (char)s[i];
            s += len;
        } else if (*s == '\\') {
            out[used++] = '\\';
            out[used++] = '\\';
            s++;
        } else if (*s >= 0x20 && *s < 0x7f) {
            out[used++] = (char)*s++;
        } else {
            snprintf(out + used, 5, "\\x%02x", *s++);
            used += 4;
        }
        shown++;
    }
    if (*s) {
        for (int i = 0; i < 3; i++)
            out[used++] = '.';
    }
    out[used] = '\0';
    return out;
}
