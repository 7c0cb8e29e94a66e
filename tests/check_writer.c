/* SPDX-License-Identifier: MIT */
/*
 * check_writer.c -- the exact bytes the one writer of reports
 * (lib/writer.c) writes: as text without the launcher, and as records
 * (lib/record.h) in a report directory -- the magic line once per file,
 * the process's fields, escapes in values, items in order, and a record
 * begun inside another on the same thread written whole.
 */
#include "config.h"

#include "options.h"
#include "writer.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char path[128];

/* A fresh report directory of this process (text: a log file in it). */
static void
use_records(bool records)
{
    strcpy(dir, "/tmp/check_writer.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    if (records) {
        options.report_dir = dir;
        options.log_file = "";
        snprintf(path, sizeof path, "%s/%ld.report", dir, (long)getpid());
    } else {
        options.report_dir = "";
        snprintf(path, sizeof path, "%s/log", dir);
        options.log_file = path;
    }
}

/* The file's bytes, without the lines of the fields that differ from run
 * to run (pid, ppid, thread, argv0, command), which are checked apart. */
static char *
read_back(void)
{
    static char text[8192];
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char line[1024];
    size_t len = 0;
    char expect_pid[32];
    snprintf(expect_pid, sizeof expect_pid, "pid\t%ld\n", (long)getpid());
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "pid\t", 4) == 0) {
            ck_assert_str_eq(line, expect_pid);
            continue;
        }
        if (strncmp(line, "ppid\t", 5) == 0 ||
            strncmp(line, "thread\t", 7) == 0 ||
            strncmp(line, "argv0\t", 6) == 0 ||
            strncmp(line, "command\t", 8) == 0) {
            ck_assert(strlen(line) > strcspn(line, "\t") + 2);
            continue;
        }
        size_t n = strlen(line);
        ck_assert_uint_lt(len + n, sizeof text);
        memcpy(text + len, line, n + 1);
        len += n;
    }
    fclose(f);
    unlink(path);
    rmdir(dir);
    return text;
}

static void
write_sample(void)
{
    struct writer w;
    writer_open(&w, RECORD_DOUBLE_FREE);
    writer_process(&w, "fatal error");
    writer_field(&w, RECORD_FIELD_DETAIL,
                 "tab\there, back\\slash, line\nfeed");
    writer_field_dec(&w, RECORD_FIELD_SIZE, 16);
    writer_field_hex(&w, RECORD_FIELD_ADDRESS, 0xabc0);
    writer_text_begin(&w);
    fmt_str(&w.out, "Debug memory block\n    16 bytes\tTAB\n\n");
    writer_text_end(&w);
    writer_message_begin(&w);
    fmt_str(&w.out, "double free: free was given the block");
    writer_message_end(&w);
    writer_rerun(&w, 12);
    writer_fatal(&w, "free", "double free", NULL);
    writer_close(&w);
}

START_TEST(test_writer_records_bytes)
{
    use_records(true);
    write_sample();
    ck_assert_str_eq(read_back(),
                     RECORD_MAGIC "\n"
                     "record\tdouble-free\n"
                     "process\tfatal error\n"
                     "detail\ttab\\there, back\\\\slash, line\\nfeed\n"
                     "size\t16\n"
                     "address\t0xabc0\n"
                     "text\tDebug memory block\n"
                     "text\t    16 bytes\\tTAB\n"
                     "text\t\n"
                     "message\tdouble free: free was given the block\n"
                     "rerun\t12\n"
                     "function\tfree\n"
                     "check\tdouble free\n"
                     "fatal\n"
                     "end\n");
}
END_TEST

START_TEST(test_writer_magic_once)
{
    use_records(true);
    for (int i = 0; i < 2; i++) {
        struct writer w;
        writer_open(&w, RECORD_NOTE);
        writer_message_begin(&w);
        fmt_str(&w.out, "a note");
        writer_message_end(&w);
        writer_close(&w);
    }
    ck_assert_str_eq(read_back(), RECORD_MAGIC "\n"
                                  "record\tnote\n"
                                  "message\ta note\n"
                                  "end\n"
                                  "record\tnote\n"
                                  "message\ta note\n"
                                  "end\n");
}
END_TEST

/* The text is what a person reads: the fields say nothing there. */
START_TEST(test_writer_text_bytes)
{
    use_records(false);
    write_sample();
    char expect[1024];
    char cmdline[256] = "";
    int fd = open("/proc/self/cmdline", O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
    close(fd);
    ck_assert_int_gt(n, 0);
    snprintf(expect, sizeof expect,
             "deadbyte: fatal error in process %ld (%s):\n"
             "Debug memory block\n"
             "    16 bytes\tTAB\n"
             "\n"
             "deadbyte: double free: free was given the block\n"
             "To stop when this block is allocated, rerun with: deadbyte "
             "--break-at 12 %s\n"
             "Fatal error: free: double free\n",
             (long)getpid(), cmdline, cmdline);
    ck_assert_str_eq(read_back(), expect);
}
END_TEST

/* A record begun inside another on the same thread (a fatal error found
 * while statistics were printed): the outer's buffered lines go out
 * first, then the inner record whole. */
START_TEST(test_writer_record_inside_record)
{
    use_records(true);
    struct writer outer, inner;
    writer_open(&outer, RECORD_STATISTICS);
    writer_process(&outer, "statistics");
    writer_open(&inner, RECORD_NOTE);
    writer_message_begin(&inner);
    fmt_str(&inner.out, "inner");
    writer_message_end(&inner);
    writer_close(&inner);
    writer_text_begin(&outer);
    fmt_str(&outer.out, "more\n");
    writer_text_end(&outer);
    writer_close(&outer);
    ck_assert_str_eq(read_back(), RECORD_MAGIC "\n"
                                  "record\tstatistics\n"
                                  "process\tstatistics\n"
                                  "record\tnote\n"
                                  "message\tinner\n"
                                  "end\n"
                                  "text\tmore\n"
                                  "end\n");
}
END_TEST

int
main(void)
{
    options_init();
    Suite *s = suite_create("writer");
    TCase *tc = tcase_create("writer");
    tcase_add_test(tc, test_writer_records_bytes);
    tcase_add_test(tc, test_writer_magic_once);
    tcase_add_test(tc, test_writer_text_bytes);
    tcase_add_test(tc, test_writer_record_inside_record);
    suite_add_tcase(s, tc);
    return run_suite(s);
}
