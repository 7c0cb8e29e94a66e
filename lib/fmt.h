/* SPDX-License-Identifier: MIT */
/*
 * fmt.h -- formatting without malloc or stdio, for messages written from
 * inside the allocator (the heap may be corrupt, stdio may hold a lock the
 * program owns).  Text is gathered in a buffer on the caller's stack and
 * written to a file descriptor with write(2) when full, and at the end.
 */
#ifndef DEADBYTE_FMT_H
#define DEADBYTE_FMT_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>

struct fmt {
    int fd;
    size_t len;
    char buf[1024];
    /* For the records of lib/record.h (lib/writer.c): with ESCAPE, '\\',
     * tab and line feed are written as "\\\\", "\\t" and "\\n"; with
     * PREFIX, every line starts with it (and its line feed stays one). */
    bool escape;
    const char *prefix;
    bool at_line_start;
};

void fmt_open(struct fmt *out, int fd);
void fmt_flush(struct fmt *out);

void fmt_char(struct fmt *out, char c);
void fmt_mem(struct fmt *out, const char *s, size_t n);
void fmt_str(struct fmt *out, const char *s);
/* Unsigned decimal: 1234. */
void fmt_dec(struct fmt *out, uintmax_t n);
/* A pointer as glibc's %p prints it: 0x55d0c2a3b2c0. */
void fmt_ptr(struct fmt *out, const void *p);
/* Lower-case hexadecimal, no prefix: 1a2b. */
void fmt_hex(struct fmt *out, uintmax_t n);
/* A byte as two lower-case hex digits: fd. */
void fmt_hex2(struct fmt *out, unsigned char byte);

#endif
