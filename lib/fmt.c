/* SPDX-License-Identifier: MIT */
/*
 * fmt.c -- allocation-free text formatting for reports (see fmt.h).
 */
#include "config.h"

#include "fmt.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

void
fmt_open(struct fmt *out, int fd)
{
    out->fd = fd;
    out->len = 0;
    out->escape = false;
    out->prefix = NULL;
    out->at_line_start = true;
}

void
fmt_flush(struct fmt *out)
{
    const char *p = out->buf;
    size_t left = out->len;
    int saved_errno = errno;
    while (left > 0) {
        ssize_t n = write(out->fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* Nowhere to report that we cannot report. */
        p += n;
        left -= (size_t)n;
    }
    errno = saved_errno;
    out->len = 0;
}

static void
put_raw(struct fmt *out, char c)
{
    if (out->len == sizeof out->buf)
        fmt_flush(out);
    out->buf[out->len++] = c;
}

/* A character of a record's value (see struct fmt). */
static void
put_encoded(struct fmt *out, char c)
{
    if (out->prefix && out->at_line_start) {
        for (const char *s = out->prefix; *s; s++)
            put_raw(out, *s);
        out->at_line_start = false;
    }
    if (c == '\n' && out->prefix) {
        put_raw(out, c);
        out->at_line_start = true;
        return;
    }
    if (out->escape && (c == '\\' || c == '\t' || c == '\n')) {
        put_raw(out, '\\');
        c = c == '\t' ? 't' : c == '\n' ? 'n' : c;
    }
    put_raw(out, c);
}

void
fmt_char(struct fmt *out, char c)
{
    if (out->escape || out->prefix)
        put_encoded(out, c);
    else
        put_raw(out, c);
}

void
fmt_mem(struct fmt *out, const char *s, size_t n)
{
    if (out->escape || out->prefix) {
        for (size_t i = 0; i < n; i++)
            put_encoded(out, s[i]);
        return;
    }
    while (n > 0) {
        if (out->len == sizeof out->buf)
            fmt_flush(out);
        size_t room = sizeof out->buf - out->len;
        size_t chunk = n < room ? n : room;
        memcpy(out->buf + out->len, s, chunk);
        out->len += chunk;
        s += chunk;
        n -= chunk;
    }
}

void
fmt_str(struct fmt *out, const char *s)
{
    fmt_mem(out, s, strlen(s));
}

void
fmt_dec(struct fmt *out, uintmax_t n)
{
    char digits[24];
    size_t i = sizeof digits;
    do {
        digits[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    fmt_mem(out, digits + i, sizeof digits - i);
}

static const char hex_digits[] = "0123456789abcdef";

void
fmt_ptr(struct fmt *out, const void *p)
{
    uintptr_t v = (uintptr_t)p;
    if (v == 0) {
        fmt_str(out, "(nil)");
        return;
    }
    char digits[2 * sizeof v];
    size_t i = sizeof digits;
    do {
        digits[--i] = hex_digits[v & 0xf];
        v >>= 4;
    } while (v > 0);
    fmt_str(out, "0x");
    fmt_mem(out, digits + i, sizeof digits - i);
}

void
fmt_hex(struct fmt *out, uintmax_t n)
{
    char digits[2 * sizeof n];
    size_t i = sizeof digits;
    do {
        digits[--i] = hex_digits[n & 0xf];
        n >>= 4;
    } while (n > 0);
    fmt_mem(out, digits + i, sizeof digits - i);
}

void
fmt_hex2(struct fmt *out, unsigned char byte)
{
    fmt_char(out, hex_digits[byte >> 4]);
    fmt_char(out, hex_digits[byte & 0xf]);
}
