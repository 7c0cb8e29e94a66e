/* SPDX-License-Identifier: MIT */
/*
 * check_records.c -- the launcher's reader of report files
 * (tool/records.c) over hand-written records: escapes, fields of several
 * values, the message as field and item, frames, tags and kinds it does
 * not know, records cut short (at the end of the file, or by the next
 * record), a file without the magic line read as text; and the text
 * rendering (tool/render_text.c) of records whose frames are not
 * symbolized, which must be what the process would have written.
 */
#include "config.h"

#include "records.h"
#include "render.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read TEXT as a report file into *FILE. */
static void
read_text(const char *text, struct report_file *file)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(records_read(f, "test.report", file), 0);
    fclose(f);
}

/* Render FILE as text, malloc'd. */
static char *
render(const struct report_file *file)
{
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    ck_assert_ptr_nonnull(f);
    render_text_file(f, file);
    fclose(f);
    return out;
}

START_TEST(test_records_escapes)
{
    struct report_file file;
    read_text(RECORD_MAGIC "\n"
                           "record\tnote\n"
                           "argv0\t/tmp/a\\tb\\\\c\\nd\\x\n"
                           "text\tone\\\\two\\tthree\n"
                           "end\n",
              &file);
    ck_assert(!file.is_text);
    ck_assert_uint_eq(file.n_records, 1);
    const struct record *r = &file.records[0];
    ck_assert_int_eq(r->kind, RECORD_NOTE);
    ck_assert(r->complete);
    /* A backslash before anything else stands for itself. */
    ck_assert_str_eq(record_field(r, RECORD_FIELD_ARGV0), "/tmp/a\tb\\c\nd\\x");
    ck_assert_uint_eq(r->n_items, 1);
    ck_assert_int_eq(r->items[0].tag, RECORD_ITEM_TEXT);
    ck_assert_str_eq(r->items[0].value, "one\\two\tthree");
    records_free(&file);
}
END_TEST

START_TEST(test_records_fields_and_items)
{
    struct report_file file;
    read_text(RECORD_MAGIC "\n"
                           "record\theap-buffer-overflow\n"
                           "pid\t42\n"
                           "process\tfatal error\n"
                           "size\t16\n"
                           "address\t0x10a0\n"
                           "leak-bytes\t010\n"
                           "thread\t12x\n"
                           "bytes\t8\t63 68 00 fd\n"
                           "trace\talloc\tMemory block allocated at\n"
                           "frame\t0x55b08598308b\t/bin/prog\t0x108b\tab12\tmain\t0x1b\t\n"
                           "frame\t0x1234\t/bin/prog\t0x234\t\t\t0\tfault\n"
                           "trace-end\n"
                           "trace\tfree\tMemory block freed at\n"
                           "unrecorded\t--frames 0\n"
                           "trace-end\n"
                           "message\tbuffer overflow: at p+16\n"
                           "rerun\t7\n"
                           "fatal\n"
                           "end\n",
              &file);
    ck_assert_uint_eq(file.n_records, 1);
    const struct record *r = &file.records[0];
    ck_assert_int_eq(r->kind, RECORD_HEAP_BUFFER_OVERFLOW);
    ck_assert(record_kind_is_error(r->kind));
    ck_assert_str_eq(record_kind_suppression(r->kind), "overflow");
    ck_assert_uint_eq(record_field_u64(r, RECORD_FIELD_PID, 0), 42);
    ck_assert_uint_eq(record_field_u64(r, RECORD_FIELD_SERIAL, 9), 9);
    ck_assert_uint_eq(record_field_u64(r, RECORD_FIELD_SIZE, 0), 16);
    ck_assert_uint_eq(record_field_u64(r, RECORD_FIELD_ADDRESS, 0), 0x10a0);
    ck_assert_uint_eq(record_field_u64(r, RECORD_FIELD_LEAK_BYTES, 0), 10);
    ck_assert_uint_eq(record_field_u64(r, RECORD_FIELD_THREAD, 5), 5);
    ck_assert_str_eq(record_field(r, RECORD_FIELD_BYTES), "8\t63 68 00 fd");
    ck_assert_str_eq(record_field(r, RECORD_FIELD_MESSAGE),
                     "buffer overflow: at p+16");
    /* process, trace, trace, message, rerun, fatal */
    ck_assert_uint_eq(r->n_items, 6);
    ck_assert_int_eq(r->items[0].tag, RECORD_ITEM_PROCESS);
    ck_assert_str_eq(r->items[0].value, "fatal error");
    ck_assert_int_eq(r->items[1].tag, RECORD_ITEM_TRACE);
    ck_assert(r->items[3].is_message);
    ck_assert_str_eq(r->items[3].value, "buffer overflow: at p+16");
    ck_assert_int_eq(r->items[4].tag, RECORD_ITEM_RERUN);
    ck_assert_str_eq(r->items[4].value, "7");
    ck_assert_int_eq(r->items[5].tag, RECORD_ITEM_FATAL);
    ck_assert_uint_eq(r->n_traces, 2);
    const struct trace *t = r->traces[0];
    ck_assert_ptr_eq(t, r->items[1].trace);
    ck_assert_str_eq(t->role, "alloc");
    ck_assert_str_eq(t->title, "Memory block allocated at");
    ck_assert(t->ended);
    ck_assert_uint_eq(t->n_frames, 2);
    ck_assert_uint_eq(t->frames[0].pc, 0x55b08598308bu);
    ck_assert_str_eq(t->frames[0].module, "/bin/prog");
    ck_assert_uint_eq(t->frames[0].offset, 0x108b);
    ck_assert_str_eq(t->frames[0].build_id, "ab12");
    ck_assert_str_eq(t->frames[0].symbol, "main");
    ck_assert_uint_eq(t->frames[0].symbol_offset, 0x1b);
    ck_assert(!t->frames[0].fault);
    ck_assert(t->frames[1].fault);
    ck_assert_str_eq(t->frames[1].symbol, "");
    ck_assert_str_eq(r->traces[1]->unrecorded, "--frames 0");
    ck_assert_uint_eq(r->traces[1]->n_frames, 0);
    records_free(&file);
}
END_TEST

START_TEST(test_records_unknown_tags_and_kinds)
{
    struct report_file file;
    read_text(RECORD_MAGIC "\n"
                           "colour\tblue\n" /* outside a record */
                           "record\tdouble-free\n"
                           "colour\tred\tgreen\n"
                           "function\tfree\n"
                           "future-item\tsomething\n"
                           "end\n"
                           "record\tbrand-new-kind\n"
                           "text\tsaid\n"
                           "end\n",
              &file);
    ck_assert_uint_eq(file.n_records, 2);
    ck_assert_int_eq(file.records[0].kind, RECORD_DOUBLE_FREE);
    ck_assert_str_eq(record_field(&file.records[0], RECORD_FIELD_FUNCTION),
                     "free");
    ck_assert_uint_eq(file.records[0].n_items, 0);
    /* A kind of a newer library: a note, its name kept. */
    ck_assert_int_eq(file.records[1].kind, RECORD_NOTE);
    ck_assert_str_eq(file.records[1].kind_name, "brand-new-kind");
    ck_assert_uint_eq(file.records[1].n_items, 1);
    records_free(&file);
}
END_TEST

START_TEST(test_records_cut_short)
{
    struct report_file file;
    /* Cut by the next record (a second error while writing the first),
     * then by the end of the file, in the middle of a traceback and of a
     * line. */
    read_text(RECORD_MAGIC "\n"
                           "record\tdouble-free\n"
                           "process\tfatal error\n"
                           "trace\tcall\tFreed again at\n"
                           "record\tsecond-error\n"
                           "text\tfirst line\n"
                           "trace\tcall\tCalled at\n"
                           "frame\t0x10\t/bin/prog\t0x10\t\tf\t0x3\t\n"
                           "frame\t0x20\t/bin/pr",
              &file);
    ck_assert_uint_eq(file.n_records, 2);
    ck_assert(!file.records[0].complete);
    ck_assert_uint_eq(file.records[0].n_items, 2);
    ck_assert(!file.records[0].traces[0]->ended);
    const struct record *r = &file.records[1];
    ck_assert_int_eq(r->kind, RECORD_SECOND_ERROR);
    ck_assert(!r->complete);
    ck_assert_uint_eq(r->n_traces, 1);
    ck_assert_uint_eq(r->traces[0]->n_frames, 2);
    ck_assert_str_eq(r->traces[0]->frames[1].module, "/bin/pr");
    ck_assert_str_eq(r->traces[0]->frames[1].symbol, "");
    records_free(&file);
}
END_TEST

START_TEST(test_records_inside_record)
{
    struct report_file file;
    /* A record begun inside another on the same thread (a note written
     * while statistics were): read whole, then the outer one goes on. */
    read_text(RECORD_MAGIC "\n"
                           "record\tstatistics\n"
                           "process\tstatistics\n"
                           "trace\tcall\tCalled at\n"
                           "record\tnote\n"
                           "message\tinner\n"
                           "end\n"
                           "frame\t0x10\t/bin/prog\t0x10\t\tf\t0x3\t\n"
                           "trace-end\n"
                           "text\tmore\n"
                           "end\n",
              &file);
    ck_assert_uint_eq(file.n_records, 2);
    const struct record *outer = &file.records[0], *inner = &file.records[1];
    ck_assert_int_eq(outer->kind, RECORD_STATISTICS);
    ck_assert(outer->complete);
    ck_assert_uint_eq(outer->n_items, 3);
    ck_assert_uint_eq(outer->traces[0]->n_frames, 1);
    ck_assert(outer->traces[0]->ended);
    ck_assert_str_eq(outer->items[2].value, "more");
    ck_assert_int_eq(inner->kind, RECORD_NOTE);
    ck_assert(inner->complete);
    ck_assert_uint_eq(inner->n_items, 1);
    ck_assert_uint_eq(inner->n_traces, 0);
    records_free(&file);
}
END_TEST

START_TEST(test_records_many)
{
    /* Enough records, items and frames to grow every array a few
     * times. */
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    ck_assert_ptr_nonnull(f);
    fputs(RECORD_MAGIC "\n", f);
    for (int i = 0; i < 100; i++) {
        fprintf(f, "record\tleak\nleak-bytes\t%d\ntrace\talloc\tAt\n", i);
        for (int k = 0; k <= i; k++)
            fprintf(f, "frame\t0x%x\t/m\t0x%x\t\t\t0\t\n", k, k);
        fputs("trace-end\n", f);
        for (int k = 0; k < i; k++)
            fprintf(f, "text\tline %d\n", k);
        fputs("end\n", f);
    }
    fclose(f);
    struct report_file file;
    read_text(text, &file);
    ck_assert_uint_eq(file.n_records, 100);
    for (int i = 0; i < 100; i++) {
        const struct record *r = &file.records[i];
        ck_assert_uint_eq(record_field_u64(r, RECORD_FIELD_LEAK_BYTES, 999), (unsigned)i);
        ck_assert_uint_eq(r->n_items, (unsigned)i + 1);
        ck_assert_uint_eq(r->traces[0]->n_frames, (unsigned)i + 1);
        ck_assert_uint_eq(r->traces[0]->frames[i].offset, (unsigned)i);
        if (i > 0) {
            char last[32];
            snprintf(last, sizeof last, "line %d", i - 1);
            ck_assert_str_eq(r->items[i].value, last);
        }
    }
    records_free(&file);
    free(text);
}
END_TEST

START_TEST(test_records_text_fallback)
{
    static const char *const texts[] = {
        "deadbyte: fatal error in process 1 (./a):\nFatal error: free: x\n",
        RECORD_MAGIC "x\nrecord\tnote\n", /* not the magic line */
        "",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct report_file file;
        read_text(texts[i], &file);
        ck_assert(file.is_text);
        ck_assert_uint_eq(file.n_records, 0);
        ck_assert_uint_eq(file.text_len, strlen(texts[i]));
        ck_assert(memcmp(file.text, texts[i], file.text_len) == 0);
        /* Rendered as it is: lines that are not frames stay. */
        char *out = render(&file);
        ck_assert_str_eq(out, texts[i]);
        free(out);
        records_free(&file);
    }
}
END_TEST

START_TEST(test_records_render_unsymbolized)
{
    struct report_file file;
    read_text(RECORD_MAGIC "\n"
                           "record\tdouble-free\n"
                           "pid\t1234\n"
                           "argv0\t./prog\n"
                           "command\t./prog 'a b'\n"
                           "function\tfree\n"
                           "check\tdouble free\n"
                           "process\tfatal error\n"
                           "text\tDebug memory block at address p=0x10: API 'r' (malloc), freed\n"
                           "text\t\n"
                           "trace\tfree\tMemory block freed at\n"
                           "frame\t0x7f0000001234\t\t0\t\t\t0\t\n"
                           "frame\t0x7f0000002000\t/nonexistent/lib.so\t0x2000\t\tf\t0x1a\t\n"
                           "frame\t0x7f0000003000\t/nonexistent/lib.so\t0x3000\t\t\t0\tfault\n"
                           "trace-end\n"
                           "trace\tcall\tFreed again at\n"
                           "unrecorded\tlibunwind found no frames to record\n"
                           "trace-end\n"
                           "message\tdouble free: free was given the block\n"
                           "rerun\t12\n"
                           "fatal\n"
                           "end\n"
                           "record\tapi-mismatch\n"
                           "function\tdelete\n"
                           "check\tbad ID\n"
                           "detail\tAllocated using API 'r', verified using API 'n'\n"
                           "rerun\t0\n"
                           "fatal\n"
                           "end\n",
              &file);
    /* Not symbolized (no records_symbolize): as the process wrote them. */
    char *out = render(&file);
    ck_assert_str_eq(
        out,
        "deadbyte: fatal error in process 1234 (./prog):\n"
        "Debug memory block at address p=0x10: API 'r' (malloc), freed\n"
        "\n"
        "Memory block freed at (most recent call first):\n"
        "  #0 0x7f0000001234 in ?? (unknown module)\n"
        "  #1 0x7f0000002000 in f+0x1a (/nonexistent/lib.so+0x2000)\n"
        "  #2 0x7f0000003000 in ?? (/nonexistent/lib.so+0x3000) [fault]\n"
        "\n"
        "Freed again at (most recent call first):\n"
        "  (not recorded: libunwind found no frames to record)\n"
        "\n"
        "deadbyte: double free: free was given the block\n"
        "To stop when this block is allocated, rerun with: deadbyte "
        "--break-at 12 ./prog 'a b'\n"
        "Fatal error: free: double free\n" RECORD_NO_SERIAL_WORDS "\n"
        "Fatal error: delete: bad ID: Allocated using API 'r', verified "
        "using API 'n'\n");
    free(out);
    records_free(&file);
}
END_TEST

START_TEST(test_records_render_leak_process_once)
{
    struct report_file file;
    /* Under the launcher every leak group names its process; the text
     * names it once, before the first group. */
    read_text(RECORD_MAGIC "\n"
                           "record\tleak\n"
                           "pid\t7\n"
                           "process\tleak check\n"
                           "text\tDirect leak of 24 bytes in 1 block\n"
                           "end\n"
                           "record\tindirect-leak\n"
                           "pid\t7\n"
                           "process\tleak check\n"
                           "text\tIndirect leak of 48 bytes in 2 blocks\n"
                           "end\n"
                           "record\tleak-summary\n"
                           "text\tdeadbyte: leak summary: 72 bytes\n"
                           "end\n",
              &file);
    char *out = render(&file);
    ck_assert_str_eq(out, "deadbyte: leak check in process 7 (?):\n"
                          "Direct leak of 24 bytes in 1 block\n"
                          "Indirect leak of 48 bytes in 2 blocks\n"
                          "deadbyte: leak summary: 72 bytes\n");
    free(out);
    records_free(&file);
}
END_TEST

int
main(void)
{
    Suite *suite = suite_create("records");
    TCase *tc = tcase_create("read");
    tcase_add_test(tc, test_records_escapes);
    tcase_add_test(tc, test_records_fields_and_items);
    tcase_add_test(tc, test_records_unknown_tags_and_kinds);
    tcase_add_test(tc, test_records_cut_short);
    tcase_add_test(tc, test_records_inside_record);
    tcase_add_test(tc, test_records_many);
    tcase_add_test(tc, test_records_text_fallback);
    tcase_add_test(tc, test_records_render_unsymbolized);
    tcase_add_test(tc, test_records_render_leak_process_once);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
