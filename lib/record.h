/* SPDX-License-Identifier: MIT */
/*
 * record.h -- the report records: every kind of finding and every field
 * and item a record holds, in one table that the library (which writes
 * records, lib/writer.c) and the launcher (which reads and renders them,
 * tool/records.c) both include.  A new kind or field is one row here.
 *
 * A report file the library writes under the launcher starts with the
 * line RECORD_MAGIC and holds records, one line per field or item:
 *
 *     TAG <TAB> VALUE [<TAB> VALUE ...] <LF>
 *
 * In a value, '\\' is written "\\\\", a tab "\\t", a line feed "\\n"; every
 * other byte stands for itself (paths and argv[0] are bytes, not always
 * UTF-8).  Numbers are decimal, addresses and offsets in a module
 * hexadecimal with "0x".  A record is
 *
 *     record <TAB> KIND-NAME
 *     ... fields and items ...
 *     end
 *
 * Fields (RECORD_FIELDS) may come anywhere between "record" and "end",
 * each at most once.  Items (RECORD_ITEMS) are the parts of the report as
 * a person reads it, in the order the text shows them: the launcher's
 * text rendering walks them in order and writes exactly the text that
 * the library writes without the launcher.  A reader skips a tag it does
 * not know: a newer library may add fields.
 */
#ifndef DEADBYTE_RECORD_H
#define DEADBYTE_RECORD_H

#define RECORD_MAGIC "deadbyte-records 1"

/*
 * The kinds of record: X(ID, name, error, suppression keyword, title,
 * help).  NAME is the record's and the JSON's "kind" and SARIF's rule
 * id; ERROR is 1 for findings that count as errors of the run (and stop
 * it, without --keep-going), 0 for leaks, statistics and notes.  The
 * suppression keyword is the word before ':' in a suppressions file
 * ("overflow:PATTERN"); "" for kinds that cannot be suppressed.  TITLE
 * is a rule's short description, HELP its full one (SARIF).
 */
#define RECORD_KINDS(X)                                                        \
    X(HEAP_BUFFER_OVERFLOW, "heap-buffer-overflow", 1, "overflow",             \
      "Heap buffer overflow",                                                  \
      "The program wrote or read past the end of a heap block: its trailing "  \
      "pad of 0xFD bytes changed, a C library call was given a range that "    \
      "runs past the block, or an access hit the guard page after it.")       \
    X(HEAP_BUFFER_UNDERFLOW, "heap-buffer-underflow", 1, "underflow",          \
      "Heap buffer underflow",                                                 \
      "The program wrote or read before the start of a heap block: its "       \
      "leading pad of 0xFD bytes changed, or an access hit the block's "       \
      "header or the guard page before it.")                                  \
    X(API_MISMATCH, "api-mismatch", 1, "api-mismatch",                         \
      "Allocation and release functions do not match",                        \
      "A block was released with a function of another family than the one "  \
      "that allocated it: free() of new[] memory, delete of malloc() memory, " \
      "PyMem_Free() of PyObject_Malloc() memory.")                            \
    X(CORRUPT_HEADER, "corrupt-header", 1, "corrupt-header",                   \
      "Block header overwritten",                                              \
      "The header before a block's data (its size field or API id) was "      \
      "overwritten: an underflow or a wild write reached it.")                 \
    X(SIZED_DELETE_MISMATCH, "sized-delete-mismatch", 1, "sized-delete",       \
      "Sized delete with the wrong size",                                      \
      "A sized operator delete was told a size other than the one the block " \
      "was allocated with.")                                                   \
    X(DOUBLE_FREE, "double-free", 1, "double-free", "Double free",             \
      "A block was released a second time.")                                   \
    X(USE_AFTER_FREE, "heap-use-after-free", 1, "use-after-free",              \
      "Use of a freed block",                                                  \
      "A freed block was read or written, or handed to a function, while "    \
      "deadbyte's quarantine still held it.")                                  \
    X(REALLOC_OF_FREED, "realloc-of-freed", 1, "realloc-freed",                \
      "realloc of a freed block", "realloc() was given a freed block.")       \
    X(WRITE_AFTER_FREE, "write-after-free", 1, "write-after-free",             \
      "Write after free",                                                      \
      "A freed block changed while it was in deadbyte's quarantine: "         \
      "something wrote to it after it was freed.")                            \
    X(INVALID_FREE, "invalid-free", 1, "invalid-free",                         \
      "Pointer not handed out by the allocator",                              \
      "A release function was given a pointer that no allocation function "   \
      "returned, or whose block was released long ago.")                      \
    X(INTERIOR_FREE, "interior-free", 1, "interior-free",                      \
      "Pointer inside a block, not to its start",                             \
      "A release function was given a pointer into a block, not the pointer " \
      "to its start that the allocation returned.")                           \
    X(TRACKED_BLOCK, "tracked-block", 1, "tracked-block",                      \
      "Release of memory registered with deadbyte_track",                     \
      "A release function was given memory the program registered with "     \
      "deadbyte_track(): deadbyte did not allocate it and cannot release "    \
      "it.")                                                                   \
    X(LOCK_NOT_HELD, "lock-not-held", 1, "lock-not-held",                      \
      "Allocator called without its lock",                                     \
      "An allocation function was called without the lock that "              \
      "deadbyte_set_lock_check() says it needs (CPython's GIL check).")        \
    X(OUT_OF_MEMORY, "out-of-memory", 1, "",                                   \
      "deadbyte ran out of memory",                                            \
      "deadbyte could not grow its table of blocks to record a block that "   \
      "was moved, so no result of the call would be safe.")                   \
    X(SECOND_ERROR, "second-error", 1, "",                                     \
      "A second error while reporting the first",                             \
      "An error was found while the same thread was writing a report, or in " \
      "the abort() that ends one.")                                            \
    X(LEAK, "leak", 0, "leak", "Memory leak",                                  \
      "Blocks that nothing in the program points to any more when it ends.")  \
    X(INDIRECT_LEAK, "indirect-leak", 0, "leak", "Indirect memory leak",       \
      "Blocks that only leaked blocks point to when the program ends.")       \
    X(STILL_REACHABLE, "still-reachable", 0, "",                               \
      "Block still reachable at exit",                                         \
      "Blocks the program still points to when it ends (--leaks=all).")       \
    X(LEAK_SUMMARY, "leak-summary", 0, "", "Leak summary of a process",        \
      "The totals of a process's leak check.")                                \
    X(STATISTICS, "statistics", 0, "", "Allocator statistics",                 \
      "The statistics of --mallocstats.")                                     \
    X(BREAKPOINT, "breakpoint", 0, "", "Block made at a --break-at serial",    \
      "The block with a serial number given to --break-at was allocated.")    \
    X(NOTE, "note", 0, "", "A note from deadbyte",                             \
      "Something deadbyte could not do, and says so: a leak check skipped, "  \
      "a heap not checked at exit.")

enum record_kind {
#define RECORD_KIND_ENUM(id, name, error, suppress, title, help) RECORD_##id,
    RECORD_KINDS(RECORD_KIND_ENUM)
#undef RECORD_KIND_ENUM
    RECORD_N_KINDS
};

/*
 * Fields: X(ID, tag, type, meaning).  TYPE is how the value is written:
 * "dec" a decimal number, "sdec" a signed one, "hex" 0x-hexadecimal,
 * "str" bytes, "bool" 0 or 1, "char" one byte (an API id).  The JSON
 * schema (deadbyte(7)) names each the same, with '-' made '_'.
 */
#define RECORD_FIELDS(X)                                                       \
    X(PID, "pid", "dec", "the process ID")                                     \
    X(PPID, "ppid", "dec", "its parent's process ID")                          \
    X(ARGV0, "argv0", "str", "the process's argv[0]")                          \
    X(COMMAND, "command", "str",                                               \
      "the process's command line, words quoted as a shell reads them")       \
    X(THREAD, "thread", "dec", "the kernel's ID of the thread (gettid)")      \
    X(FUNCTION, "function", "str",                                             \
      "the function the program called, whose check failed: free, memcpy")    \
    X(CHECK, "check", "str",                                                   \
      "the check that failed, in CPython's words: bad trailing pad byte")     \
    X(DETAIL, "detail", "str",                                                 \
      "what follows the check on the Fatal error line, if anything")          \
    X(ADDRESS, "address", "hex", "the block's data, p")                       \
    X(SIZE, "size", "dec", "the size the block was requested with")           \
    X(API, "api", "char", "the API id of the block, as deadbyte recorded it") \
    X(API_NAME, "api-name", "str",                                             \
      "the function that allocated the block: malloc, operator new[]")        \
    X(SERIAL, "serial", "dec",                                                 \
      "the block's serial number, for --break-at (0: none)")                  \
    X(FREED, "freed", "bool", "whether the block was freed already")          \
    X(TRACKED, "tracked", "bool",                                              \
      "whether the block was registered with deadbyte_track")                 \
    X(GUARDED, "guarded", "bool", "whether the block has a guard page")       \
    X(OFFSET, "offset", "sdec",                                                \
      "where the first bad byte or access is, from p (negative: before it)")  \
    X(ACCESS, "access", "str", "read, write or access (direction unknown)")   \
    X(ACCESS_SIZE, "access-size", "dec",                                       \
      "how many bytes the bad call touched (0: one access of a fault)")       \
    X(BYTES, "bytes", "str",                                                   \
      "OFFSET <TAB> HEX: the bytes of the block from offset OFFSET of p, "    \
      "around the first bad one")                                              \
    X(LEAK_BYTES, "leak-bytes", "dec", "the bytes of a leak group")           \
    X(LEAK_BLOCKS, "leak-blocks", "dec", "the blocks of a leak group")        \
    X(MESSAGE, "message", "str",                                               \
      "what happened in one line of plain words (also an item: see below)")

enum record_field {
#define RECORD_FIELD_ENUM(id, tag, type, meaning) RECORD_FIELD_##id,
    RECORD_FIELDS(RECORD_FIELD_ENUM)
#undef RECORD_FIELD_ENUM
    RECORD_N_FIELDS
};

/*
 * Items: X(ID, tag, meaning).  How each reads as text, in the order of
 * the record, is what the library writes without the launcher:
 *
 *   process WHAT     "deadbyte: WHAT in process PID (ARGV0):"
 *   text LINE        LINE, as it is (a line of a block's dump, a leak
 *                    group's first line, statistics)
 *   trace ROLE TITLE "TITLE (most recent call first):"; ROLE is alloc,
 *                    free, call (the bad call), or fault (the faulting
 *                    instruction's stack)
 *   frame PC MODULE OFFSET BUILD-ID SYMBOL SYMBOL-OFFSET FLAGS
 *                    "  #N PC in SYMBOL+SYMBOL-OFFSET (MODULE+OFFSET)"
 *                    before symbolization; MODULE is an absolute path
 *                    ("" when unknown: "  #N PC in ?? (unknown
 *                    module)"), BUILD-ID hexadecimal or "", SYMBOL ""
 *                    when dladdr found none ("??"); FLAGS is "fault" for
 *                    an instruction that faulted (look it up, not the
 *                    byte before it), else ""
 *   unrecorded WHY   "  (not recorded: WHY)"
 *   trace-end        a blank line: the traceback is over
 *   message TEXT     "deadbyte: TEXT"
 *   rerun SERIAL     "To stop when this block is allocated, rerun with:
 *                    deadbyte --break-at SERIAL COMMAND", or with SERIAL
 *                    0 the sentence saying there is no serial number
 *
 * The field "message" is an item too: "deadbyte: TEXT" where it comes.
 * A "record" line inside a record starts a new one: the first was cut
 * short (a second error while it was written, or a killed process).
 *   fatal            "Fatal error: FUNCTION: CHECK" (": DETAIL" if any)
 */
#define RECORD_ITEMS(X)                                                        \
    X(RECORD, "record", "the start of a record, and its kind")                \
    X(END, "end", "the end of a record")                                       \
    X(PROCESS, "process", "the line naming the process")                      \
    X(TEXT, "text", "a line of text as it is")                                 \
    X(TRACE, "trace", "the start of a traceback: role and title")             \
    X(FRAME, "frame", "a frame of a traceback")                                \
    X(UNRECORDED, "unrecorded", "why a traceback was not recorded")           \
    X(TRACE_END, "trace-end", "the end of a traceback")                       \
    X(RERUN, "rerun", "how to stop where the block is made")                  \
    X(FATAL, "fatal", "CPython's Fatal error line")

enum record_item {
#define RECORD_ITEM_ENUM(id, tag, meaning) RECORD_ITEM_##id,
    RECORD_ITEMS(RECORD_ITEM_ENUM)
#undef RECORD_ITEM_ENUM
    RECORD_N_ITEMS
};

/* The text a "rerun" item reads as; COMMAND follows the serial. */
#define RECORD_RERUN_WORDS                                                     \
    "To stop when this block is allocated, rerun with: deadbyte --break-at "
#define RECORD_NO_SERIAL_WORDS                                                 \
    "deadbyte: this block has no serial number (--serialno=0); without that "  \
    "option, the report would say how to stop where it is made."

#endif
