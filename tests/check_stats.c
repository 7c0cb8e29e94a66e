/* SPDX-License-Identifier: MIT */
/*
 * check_stats.c -- deadbyte_print_stats() in CPython's PYTHONMALLOCSTATS
 * layout: the header lines, the class table's columns, the "label =
 * value" lines (label in 35 columns, value with thousands commas
 * right-justified in 21), numbers that agree with the allocator's, byte
 * lines that add up to arenas * 1 MiB; no such part when the
 * small-object allocator is not in use; the debug hooks' blocks per API,
 * peak and quarantine; and a print at each new arena.
 */
#include "config.h"

#include "libc_base.h"
#include "smallobj.h"
#include "stats.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char text[1 << 16];
static char *lines[512];
static size_t n_lines;

/* Run FN with a pipe's write end and split what it wrote into lines. */
static void
capture(void (*fn)(int fd))
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    fn(fds[1]);
    close(fds[1]);
    size_t len = 0;
    ssize_t n;
    while ((n = read(fds[0], text + len, sizeof text - 1 - len)) > 0)
        len += (size_t)n;
    close(fds[0]);
    text[len] = '\0';
    n_lines = 0;
    for (char *line = text; *line && n_lines < 512;) {
        char *end = strchr(line, '\n');
        ck_assert_msg(end != NULL, "unterminated last line: %s", line);
        *end = '\0';
        lines[n_lines++] = line;
        line = end + 1;
    }
}

static void
print_stats(int fd)
{
    deadbyte_print_stats(fd);
}

/* The index of the first line from FROM that starts with PREFIX. */
static size_t
find(size_t from, const char *prefix)
{
    for (size_t i = from; i < n_lines; i++)
        if (strncmp(lines[i], prefix, strlen(prefix)) == 0)
            return i;
    ck_abort_msg("no line starts with '%s' in:\n%s", prefix, text);
    return 0;
}

/* N with thousands commas, as CPython prints it: "1,048,576". */
static void
with_commas(char *out, size_t n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", n);
    for (int i = 0; i < len; i++) {
        *out++ = digits[i];
        if ((len - i - 1) % 3 == 0 && i < len - 1)
            *out++ = ',';
    }
    *out = '\0';
}

/* A printone() line: LABEL padded to 35 columns, '=', the value with
 * commas right-justified in 21 columns.  Returns the value. */
static size_t
value_of(const char *line, const char *label)
{
    ck_assert_msg(strlen(line) == 57, "not 35 + 1 + 21 columns: '%s'", line);
    char expected[64];
    snprintf(expected, sizeof expected, "%-35s=", label);
    ck_assert_msg(strncmp(line, expected, 36) == 0, "'%s' is not '%s'", line,
                  expected);
    size_t value = 0;
    for (const char *c = line + 36; *c; c++)
        if (isdigit((unsigned char)*c))
            value = value * 10 + (size_t)(*c - '0');
    char number[32];
    with_commas(number, value);
    snprintf(expected, sizeof expected, "%21s", number);
    ck_assert_str_eq(line + 36, expected);
    return value;
}

START_TEST(test_stats_layout)
{
    void *blocks[3000];
    for (size_t i = 0; i < 3000; i++)
        blocks[i] = smallobj_malloc(NULL, i % 3 == 0   ? 8
                                          : i % 3 == 1 ? 200
                                                       : 512);
    for (size_t i = 0; i < 3000; i += 5)
        smallobj_free(NULL, blocks[i]);
    struct smallobj_stats s;
    smallobj_get_stats(&s);
    capture(print_stats);

    ck_assert_str_eq(lines[0],
                     "Small block threshold = 512, in 32 size classes.");
    ck_assert_str_eq(lines[1], "");
    ck_assert_str_eq(lines[2],
                     "class   size   num pools   blocks in use  avail blocks");
    ck_assert_str_eq(lines[3],
                     "-----   ----   ---------   -------------  ------------");
    /* One row per class in use, CPython's "%5u %6u %11zu %15zu %13zu". */
    size_t row = 4;
    for (unsigned c = 0; c < SMALLOBJ_CLASSES; c++) {
        if (s.pools[c] == 0)
            continue;
        char expected[128];
        snprintf(expected, sizeof expected, "%5u %6zu %11zu %15zu %13zu", c,
                 smallobj_class_size(c), s.pools[c], s.blocks[c],
                 s.free_blocks[c]);
        ck_assert_str_eq(lines[row], expected);
        row++;
    }
    ck_assert_uint_eq(row, 7); /* classes 0, 12 and 31 */
    ck_assert_str_eq(lines[row++], "");

    size_t at = find(row, "# arenas allocated total");
    ck_assert_uint_eq(value_of(lines[at], "# arenas allocated total"),
                      s.arenas_total);
    ck_assert_uint_eq(value_of(lines[at + 1], "# arenas reclaimed"),
                      s.arenas_total - s.arenas);
    ck_assert_uint_eq(value_of(lines[at + 2], "# arenas highwater mark"),
                      s.arenas_highwater);
    ck_assert_uint_eq(value_of(lines[at + 3], "# arenas allocated current"),
                      s.arenas);
    char label[64];
    snprintf(label, sizeof label, "%zu arenas * 1048576 bytes/arena", s.arenas);
    ck_assert_uint_eq(value_of(lines[at + 4], label), s.arenas << 20);
    ck_assert_str_eq(lines[at + 5], "");

    /* Where the bytes are: the six lines add up to the Total, which is
     * all of the arenas. */
    static const char *const parts[] = {
        "# bytes in allocated blocks",
        "# bytes in available blocks",
        NULL /* "N unused pools * 16384 bytes" */,
        "# bytes lost to pool headers",
        "# bytes lost to quantization",
        "# bytes lost to arena alignment",
    };
    size_t sum = 0;
    for (size_t i = 0; i < 6; i++) {
        const char *name = parts[i];
        if (!name) {
            snprintf(label, sizeof label, "%zu unused pools * 16384 bytes",
                     s.unused_pools);
            name = label;
        }
        sum += value_of(lines[at + 6 + i], name);
    }
    size_t total = value_of(lines[at + 12], "Total");
    ck_assert_uint_eq(total, sum);
    ck_assert_uint_eq(total, s.arenas * 1048576);
    ck_assert_uint_ge(s.arenas, 1);

    ck_assert_str_eq(lines[at + 13], "");
    ck_assert_str_eq(lines[at + 14], "arena map counts");
    ck_assert_uint_ge(value_of(lines[at + 15], "# arena map mid nodes"), 1);
    ck_assert_uint_ge(value_of(lines[at + 16], "# arena map bot nodes"), 1);
    ck_assert_uint_eq(
        value_of(lines[at + 18], "# bytes lost to arena map root"), 8192);
    size_t map = 8192 +
                 value_of(lines[at + 19], "# bytes lost to arena map mid") +
                 value_of(lines[at + 20], "# bytes lost to arena map bot");
    ck_assert_uint_eq(value_of(lines[at + 21], "Total"), map);
    /* Then the debug hooks' part (the domains have them, unused here). */
    ck_assert_str_eq(lines[at + 22], "");
    ck_assert_str_eq(lines[at + 23], "Debug hooks: blocks per API.");
    for (size_t i = 0; i < 3000; i++)
        if (i % 5 != 0)
            smallobj_free(NULL, blocks[i]);
}
END_TEST

/* With the debug hooks on the obj domain, CPython's count of debug
 * allocations comes first: deadbyte's serial number. */
START_TEST(test_stats_counts_debug_calls)
{
    void *p = deadbyte_obj_malloc(10);
    capture(print_stats);
    size_t at = find(0, "# times object malloc called");
    ck_assert_uint_eq(value_of(lines[at], "# times object malloc called"),
                      deadbyte_get_serialno());
    ck_assert_uint_eq(find(0, "# arenas allocated total"), at + 1);
    deadbyte_obj_free(p);
}
END_TEST

/* Without the small-object allocator, its part is left out: CPython
 * prints nothing then.  The hooks' part stays. */
START_TEST(test_stats_hooks_only_without_smallobj)
{
    ck_assert_int_eq(
        deadbyte_set_allocator(DEADBYTE_DOMAIN_MEM, &libc_base_allocator), 0);
    ck_assert_int_eq(
        deadbyte_set_allocator(DEADBYTE_DOMAIN_OBJ, &libc_base_allocator), 0);
    capture(print_stats);
    ck_assert_str_eq(lines[0], "Debug hooks: blocks per API.");
}
END_TEST

/* No small-object allocator and no hooks that ever made a block: not a
 * line. */
START_TEST(test_stats_silent_without_smallobj_or_hooks)
{
    for (int d = DEADBYTE_DOMAIN_RAW; d <= DEADBYTE_DOMAIN_OBJ; d++)
        ck_assert_int_eq(deadbyte_set_allocator((deadbyte_domain_t)d,
                                                &libc_base_allocator),
                         0);
    capture(print_stats);
    ck_assert_str_eq(text, "");
}
END_TEST

/* The line of API ID in the hooks' table, or NULL. */
static const char *
api_row(char id)
{
    char start[8];
    snprintf(start, sizeof start, "'%c'  ", id);
    for (size_t i = 0; i < n_lines; i++)
        if (strncmp(lines[i], start, strlen(start)) == 0)
            return lines[i];
    return NULL;
}

/* Blocks live and tracked per API, the peak, the quarantine: what was
 * made here, exactly (one thread: the peak is exact too). */
START_TEST(test_stats_hooks_counts)
{
    static char pool[4096];
    void *m[3] = {deadbyte_mem_malloc(10), deadbyte_mem_malloc(20),
                  deadbyte_mem_malloc(30)};
    void *o = deadbyte_obj_malloc(100);
    deadbyte_mem_free(m[1]);
    ck_assert_int_eq(deadbyte_track(DEADBYTE_DOMAIN_RAW, pool, sizeof pool),
                     0);
    capture(print_stats);

    size_t top = find(0, "Debug hooks: blocks per API.");
    ck_assert_str_eq(lines[top + 2],
                     "API  allocated with        live blocks      live bytes"
                     "  tracked blocks   tracked bytes");
    /* The rows, in the order r m o n a, each only if it has blocks. */
    ck_assert_str_eq(lines[top + 4],
                     "'r'  deadbyte_raw_malloc             0               0"
                     "               1           4,096");
    ck_assert_str_eq(lines[top + 5],
                     "'m'  deadbyte_mem_malloc             2              40"
                     "               0               0");
    ck_assert_str_eq(lines[top + 6],
                     "'o'  deadbyte_obj_malloc             1             100"
                     "               0               0");
    ck_assert_ptr_null(api_row('n'));
    ck_assert_str_eq(lines[top + 7], "");
    size_t at = top + 8;
    ck_assert_uint_eq(value_of(lines[at], "# live blocks"), 3);
    ck_assert_uint_eq(value_of(lines[at + 1], "# live bytes (requested)"), 140);
    ck_assert_uint_eq(value_of(lines[at + 2], "# peak live blocks"), 4);
    ck_assert_uint_eq(value_of(lines[at + 3], "# peak live bytes"), 160);
    ck_assert_uint_eq(value_of(lines[at + 4], "# blocks in quarantine"), 1);
    ck_assert_uint_eq(
        value_of(lines[at + 5], "# bytes in quarantine (requested)"), 20);
    ck_assert_uint_ge(
        value_of(lines[at + 6], "# bytes in quarantine (allocated)"), 20);
    ck_assert_uint_eq(
        value_of(lines[at + 7], "# quarantine budget, each of 2"), 16 << 20);
    ck_assert_uint_eq(n_lines, at + 8);

    ck_assert_int_eq(deadbyte_untrack(DEADBYTE_DOMAIN_RAW, pool), 0);
    deadbyte_mem_free(m[0]);
    deadbyte_mem_free(m[2]);
    deadbyte_obj_free(o);
}
END_TEST

static int new_arena_fd = -1;

static void
print_at_new_arena(void)
{
    deadbyte_print_stats(new_arena_fd);
}

static void
allocate_three_arenas(int fd)
{
    new_arena_fd = fd;
    smallobj_on_new_arena(print_at_new_arena);
    static void *blocks[3 * 64 * 31];
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        blocks[i] = smallobj_malloc(NULL, 512);
    smallobj_on_new_arena(NULL);
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        smallobj_free(NULL, blocks[i]);
}

/* PYTHONMALLOCSTATS: the statistics before each new arena. */
START_TEST(test_stats_at_each_new_arena)
{
    capture(allocate_three_arenas);
    struct smallobj_stats s;
    smallobj_get_stats(&s);
    size_t prints = 0;
    for (size_t i = 0; i < n_lines; i++)
        if (strcmp(lines[i],
                   "Small block threshold = 512, in 32 size classes.") == 0)
            prints++;
    ck_assert_uint_eq(prints, s.arenas_total);
    ck_assert_uint_ge(prints, 3);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("layout");
    tcase_add_test(tc, test_stats_layout);
    tcase_add_test(tc, test_stats_counts_debug_calls);
    tcase_add_test(tc, test_stats_hooks_only_without_smallobj);
    tcase_add_test(tc, test_stats_silent_without_smallobj_or_hooks);
    tcase_add_test(tc, test_stats_hooks_counts);
    tcase_add_test(tc, test_stats_at_each_new_arena);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
