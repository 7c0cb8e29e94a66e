/* SPDX-License-Identifier: MIT */
/*
 * writer_words.h -- the words of the reports, part of the writer: the
 * one line of each finding that says what happened ("deadbyte: double
 * free: free was given the 16-byte block allocated with malloc (call
 * #3), which was freed already"), CPython's detail after the check, and
 * the few lines of text about a pointer or a block that no dump shows.
 * The reports (report.c, report_access.c, lockcheck.c, leaks.c, ...)
 * say which and with what; these write it, as text or as the record's
 * message (writer.h).
 */
#ifndef DEADBYTE_WRITER_WORDS_H
#define DEADBYTE_WRITER_WORDS_H

#include "block.h"
#include "fmt.h"
#include "writer.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct block_record;

/* "the 16-byte block allocated with malloc (call #12)" */
void words_block(struct fmt *out, const struct block_record *record);

/* "'m'", or "'\xdd'" for a byte that is not printable. */
void words_api_char(struct fmt *out, unsigned char id);

/* What a check of a block's bytes found (report_bad_block). */
struct bad_block_words {
    const char *func;      /* the function that checked: "free" */
    enum block_fault fault;
    const struct block_record *record;
    unsigned char header_api; /* the API id in the header, as found */
    char verify_api;          /* the one FUNC expects */
    int bad_lead;             /* the first bad leading pad byte, p-N */
    int bad_tail;             /* the first bad trailing pad byte, tail+N */
    size_t delete_size;       /* the size a sized delete was given */
};
void writer_say_bad_block(struct writer *w, const struct bad_block_words *b);
/* CPython's detail after the check ("Allocated using API 'm', verified
 * using API 'r'"), into DETAIL (a buffer, fd -1); empty if none. */
void words_bad_block_detail(struct fmt *detail,
                            const struct bad_block_words *b);

/* "Detected by FUNC at": the title of the bad call's traceback. */
void words_detected_title(struct fmt *title, const char *func);

/* The warning that the program defines N of the allocation functions
 * NAMES itself, in MODULE, ahead of deadbyte's. */
void writer_say_own_malloc(struct writer *w, const char *const *names,
                           size_t n, const char *module);

/* FUNC was given p+OFFSET of RECORD's block, not p. */
void writer_say_interior(struct writer *w, const char *func,
                         const struct block_record *record, size_t offset);

/* Where an address lies, found by the reports (report.c), said here. */
struct where {
    enum {
        WHERE_HEAP_BLOCK, /* deadbyte's heap, outside a block's data */
        WHERE_HEAP,       /* deadbyte's heap, in no block */
        WHERE_ANONYMOUS,  /* an anonymous mapping, with PERMS */
        WHERE_MAIN_STACK, /* the main thread's stack */
        WHERE_SPECIAL,    /* [vdso], [heap], ...: PATH */
        WHERE_CODE,       /* an executable mapping of PATH */
        WHERE_DATA,       /* another mapping of PATH */
        WHERE_NOWHERE,    /* no mapping */
    } kind;
    size_t size;      /* WHERE_HEAP_BLOCK: the block's size, */
    uintptr_t block;  /* its data, */
    bool freed;       /* and whether it was freed */
    char perms[5];
    char path[1024];
};

/* "Pointer 0x... was not handed out by deadbyte: it lies <WHERE>.", a
 * blank line; then, after the traceback, the message. */
void writer_pointer_lines(struct writer *w, const void *p,
                          const struct where *where);
void writer_say_invalid(struct writer *w, const char *func);

/* FUNC was given RECORD's block, freed already; WORDS: "double free: ". */
void writer_say_freed(struct writer *w, const char *words, const char *func,
                      const struct block_record *record);

/* The block of deadbyte_track, given to FUNC. */
void writer_tracked_lines(struct writer *w, const struct block_record *record);
void writer_say_tracked(struct writer *w, const char *func,
                        const struct block_record *record);

/* CHANGED bytes of RECORD's freed block changed, the first at p+FIRST;
 * BY_HEAP_CHECK: found by deadbyte_check_heap, else by the quarantine. */
void writer_say_write_after_free(struct writer *w,
                                 const struct block_record *record,
                                 size_t changed, ptrdiff_t first,
                                 bool by_heap_check);

/* FUNC moved a block of SIZE bytes to P, and could not record it. */
void writer_say_out_of_memory(struct writer *w, const char *func,
                              const void *p, size_t size);

/* FUNC was called without the lock of deadbyte_set_lock_check. */
void writer_say_unlocked(struct writer *w, const char *func);

/* A bad access (report_access.h). */
enum access_kind {
    ACCESS_READ,
    ACCESS_WRITE,
    /* A fault whose direction the processor does not tell the signal
     * handler (outside x86): reported as an "access". */
    ACCESS_UNKNOWN,
};
struct access_words {
    const char *func; /* "memcpy"; NULL: an instruction that faulted */
    enum access_kind kind;
    uintptr_t start; /* the first byte of the bad range */
    size_t len;      /* 0: one access of unknown size (a fault) */
    const struct block_record *record;
    bool before; /* the range starts before the block's data */
    bool inside; /* it starts in the data */
};
void writer_say_access(struct writer *w, const struct access_words *a);
/* "Bad read by memcpy at", or for a fault "Bad read at", into TITLE. */
void words_access_title(struct fmt *title, const struct access_words *a);

/* A second error, found while this thread wrote a report. */
void writer_say_second_error(struct writer *w, const char *func,
                             const char *check);

/* The first line of a leak group: "Direct leak of 24 bytes in 1 block,
 * allocated with malloc; e.g. block #4 (24 bytes) at 0x...: 10 61 ...".
 * HEAD: "Direct leak of ", "Indirect leak of " or "Still reachable: ";
 * DATA: the first SHOWN bytes of the block (SHOWN 0: unreadable). */
struct leak_words {
    const char *head;
    size_t bytes, count; /* of the group */
    uintptr_t p;         /* its first block */
    size_t size, serial;
    char api;
    bool tracked;
    const unsigned char *data;
    size_t shown;
};
void writer_leak_lines(struct writer *w, const struct leak_words *l);

/* "deadbyte: leak summary: 72 bytes in 3 blocks definitely lost (...)" */
void writer_leak_summary_lines(struct writer *w, size_t direct,
                               size_t direct_bytes, size_t indirect,
                               size_t indirect_bytes, size_t reachable,
                               size_t reachable_bytes);

/* A note: "deadbyte: WORDS1WORDS2WORDS3" (the last two may be NULL). */
void writer_say(struct writer *w, const char *words1, const char *words2,
                const char *words3);

/* "deadbyte: warning: MAX blocks have guard pages, as many as
 * --guard-max allows; ..." */
void writer_say_guard_full(struct writer *w, size_t max);

/* The title of a --break-at hit's traceback: "deadbyte: block #3 (16
 * bytes, malloc) is at 0x...; it was made at", into TITLE. */
void words_breakpoint_title(struct fmt *title, size_t serial, size_t size,
                            char api, const void *p);

/* "deadbyte: warning: FUNC: alignment N is WHY; using ROUNDED, as the C
 * library does" (ROUNDED 0: "; returning EINVAL"). */
void writer_say_alignment(struct writer *w, const char *func, size_t align,
                          const char *why, size_t rounded);

#endif
