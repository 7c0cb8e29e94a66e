/* SPDX-License-Identifier: MIT */
/*
 * maps.c -- parse /proc/self/maps with read(2) into a buffer on the
 * stack: it runs from reports and at exit, when malloc cannot be used.
 */
#include "config.h"

#include "maps.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static uintptr_t
parse_hex(const char **s)
{
    uintptr_t v = 0;
    for (;; (*s)++) {
        char c = **s;
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : -1;
        if (d < 0)
            return v;
        v = v * 16 + (uintptr_t)d;
    }
}

/* "start-end perms offset dev inode   path" */
static bool
parse_line(const char *line, struct mapping *m)
{
    const char *s = line;
    m->start = parse_hex(&s);
    if (*s++ != '-')
        return false;
    m->end = parse_hex(&s);
    if (*s++ != ' ' || strlen(s) < 4)
        return false;
    memcpy(m->perms, s, 4);
    m->perms[4] = '\0';
    /* The path is what follows the fifth field. */
    const char *p = s;
    for (int field = 0; field < 4 && p; field++)
        p = strchr(p + 1, ' ');
    while (p && *p == ' ')
        p++;
    m->path = p ? p : "";
    return true;
}

bool
maps_for_each(bool (*fn)(const struct mapping *, void *), void *arg)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char buf[4096], line[1024];
    size_t len = 0;
    bool go_on = true;
    ssize_t n;
    while (go_on && (n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n && go_on; i++) {
            if (buf[i] != '\n') {
                if (len < sizeof line - 1)
                    line[len++] = buf[i];
                continue;
            }
            line[len] = '\0';
            len = 0;
            struct mapping m;
            if (parse_line(line, &m))
                go_on = fn(&m, arg);
        }
    }
    close(fd);
    return true;
}
