/* SPDX-License-Identifier: MIT */
/*
 * leaks.c -- which blocks are still allocated at exit, and which of them
 * nothing points to any more (LeakSanitizer's method): every word of the
 * process's writable memory that is not a heap block -- module data and
 * bss, stacks, TLS, the program's own mappings -- is a root; a block a
 * root points into (anywhere in it) is reachable, and so is every block a
 * reachable block points into.  The rest is leaked: directly, when no
 * other leaked block points to it either, else indirectly.
 *
 * Runs at exit, without malloc: the snapshot of the registry, the sort
 * and the work list live in memory from mmap.  deadbyte's own tables,
 * and the bytes of the blocks themselves, are left out of the roots: a
 * block counts only if something outside the heap leads to it.
 *
 * Other threads may still run (main returned while they work, or a
 * thread called _exit): they map and unmap memory and free blocks while
 * the scan reads.  So no byte is read with a plain load: the kernel
 * copies memory into a buffer (process_vm_readv, 64 KiB at a time), and
 * a page that is gone, past the end of its file or otherwise unreadable
 * is skipped instead of killing the program with SIGSEGV or SIGBUS.
 * Their changes are tolerated, not stopped: a block another thread holds
 * only in a register may be reported (LeakSanitizer stops the threads;
 * here a thread's stack is scanned whole, which leaves only registers).
 */
#include "config.h"

#include "leaks.h"

#include "api.h"
#include "block.h"
#include "fmt.h"
#include "frames.h"
#include "maps.h"
#include "options.h"
#include "quarantine.h"
#include "registry.h"
#include "report.h"
#include "smallobj.h"
#include "traces.h"
#include "writer.h"
#include "writer_words.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

enum reach { UNREACHED, REACHABLE, INDIRECT };

struct leak_block {
    uintptr_t p, start, end; /* data, and all of the base allocation */
    size_t size, serial;
    uint32_t trace;
    char api;
    bool tracked;
    unsigned char reach;
};

struct range {
    uintptr_t start, end;
};

static struct leak_block *blocks;
static size_t n_blocks, max_blocks;
static size_t *work; /* indices of reachable blocks still to scan */
static size_t n_work;
static struct range skips[4096]; /* deadbyte's own memory */
static size_t n_skips;

/*
 * Memory is never read in place but copied by the kernel, and a system
 * call costs microseconds, so the copies are big where they can be.
 * Roots are read CHUNK bytes at a time, in order.  Blocks are read in
 * the order the scan reaches them, through a cache of windows of WINDOW
 * bytes (a page or part of one): blocks made one after another lie in
 * the same window, and a heap of many small blocks costs one call per
 * window, not per block.  The cache has a slot for every window of the
 * live blocks' bytes, up to MAX_SLOTS (64 MiB, touched only as used),
 * so that a heap whose lists hop from window to window is read once.
 * The buffers are mapped, and left out of the roots: they hold copies
 * of block addresses.
 */
#define CHUNK ((size_t)64 * 1024)
#define WINDOW ((uintptr_t)4096)
#define MIN_SLOTS ((size_t)512)
#define MAX_SLOTS ((size_t)16384)
struct buffers {
    unsigned char chunk[CHUNK];
    uintptr_t chunk_start, chunk_end; /* the part of a root in chunk */
    size_t slots;                     /* a power of two */
    uintptr_t *start;                 /* of each slot's window; 0: empty */
    bool *readable;
    unsigned char (*window)[WINDOW];
};
static struct buffers *buf;
static size_t buf_bytes;
static pid_t self;
static size_t page_size;

static void *
map(size_t bytes)
{
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return m == MAP_FAILED ? NULL : m;
}

static void
count_live(const struct block_record *r, void *arg)
{
    if (!r->freed)
        ++*(size_t *)arg;
}

static void
collect(const struct block_record *r, void *arg)
{
    (void)arg;
    if (r->freed || n_blocks == max_blocks)
        return;
    /* A tracked block is just its data: deadbyte laid nothing out. */
    size_t trailer =
        r->tracked ? 0 : block_trailer_size(options.serialno);
    blocks[n_blocks++] = (struct leak_block){
        r->p,     r->p - r->offset, r->p + r->size + trailer,
        r->size,  r->serial,        r->alloc_trace,
        r->api,   r->tracked,       UNREACHED};
}

static void
add_skip(uintptr_t start, uintptr_t end, void *arg)
{
    (void)arg;
    if (n_skips < sizeof skips / sizeof skips[0])
        skips[n_skips++] = (struct range){start, end};
}

/* Heapsort, with no memory of its own (qsort may call malloc). */
#define HEAPSORT(name, type, less)                                             \
    static void name##_sift(type *a, size_t root, size_t n)                    \
    {                                                                          \
        for (size_t child; (child = 2 * root + 1) < n; root = child) {        \
            if (child + 1 < n && less(&a[child], &a[child + 1]))               \
                child++;                                                       \
            if (!less(&a[root], &a[child]))                                    \
                return;                                                        \
            type t = a[root];                                                  \
            a[root] = a[child];                                                \
            a[child] = t;                                                      \
        }                                                                      \
    }                                                                          \
    static void name(type *a, size_t n)                                        \
    {                                                                          \
        for (size_t i = n / 2; i-- > 0;)                                       \
            name##_sift(a, i, n);                                              \
        for (size_t end = n; end-- > 1;) {                                     \
            type t = a[0];                                                     \
            a[0] = a[end];                                                     \
            a[end] = t;                                                        \
            name##_sift(a, 0, end);                                            \
        }                                                                      \
    }

#define BY_ADDRESS(x, y) ((x)->p < (y)->p)
#define BY_START(x, y) ((x)->start < (y)->start)
HEAPSORT(sort_blocks, struct leak_block, BY_ADDRESS)
HEAPSORT(sort_skips, struct range, BY_START)

/* The block whose data holds ADDR (an empty block: its address). */
static struct leak_block *
find(uintptr_t addr)
{
    size_t lo = 0, hi = n_blocks;
    while (lo < hi) { /* first block with p > addr */
        size_t mid = lo + (hi - lo) / 2;
        if (blocks[mid].p <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    struct leak_block *b = &blocks[lo - 1];
    return addr < b->p + (b->size ? b->size : 1) ? b : NULL;
}

/* Copy LEN bytes at FROM into DST by the kernel, which fails where a
 * plain load would fault.  Returns how many bytes from FROM could be
 * read (fewer than LEN: the page at FROM + that is unreadable). */
static size_t
copy_in(void *dst, uintptr_t from, size_t len)
{
    struct iovec local = {dst, len}, remote = {(void *)from, len};
    ssize_t got = process_vm_readv(self, &local, 1, &remote, 1, 0);
    if (got == (ssize_t)len)
        return len;
    /* Some unreadable page in the middle: find it page by page (kernels
     * differ in whether they return the part before it). */
    size_t done = 0;
    while (done < len) {
        uintptr_t at = from + done;
        size_t piece = page_size - (at & (page_size - 1));
        if (piece > len - done)
            piece = len - done;
        local = (struct iovec){(char *)dst + done, piece};
        remote = (struct iovec){(void *)at, piece};
        if (process_vm_readv(self, &local, 1, &remote, 1, 0) !=
            (ssize_t)piece)
            break;
        done += piece;
    }
    return done;
}

/* Mark the blocks that the LEN words at WORDS point into. */
static void
mark_words(const uintptr_t *words, size_t len, enum reach mark)
{
    if (n_blocks == 0) /* all freed by other threads since counted */
        return;
    uintptr_t lo = blocks[0].p, hi = blocks[n_blocks - 1].end;
    for (size_t i = 0; i < len; i++) {
        uintptr_t v = words[i];
        if (v < lo || v >= hi)
            continue;
        struct leak_block *b = find(v);
        if (!b || b->reach != UNREACHED)
            continue;
        b->reach = (unsigned char)mark;
        if (mark == REACHABLE)
            work[n_work++] = (size_t)(b - blocks);
    }
}

/* Every aligned word in [FROM, TO) of a root that points into a block
 * marks it; unreadable pages are skipped. */
static void
scan_words(uintptr_t from, uintptr_t to, enum reach mark)
{
    if (n_blocks == 0)
        return;
    from = (from + sizeof(uintptr_t) - 1) & ~(uintptr_t)(sizeof(uintptr_t) - 1);
    while (from < to && to - from >= sizeof(uintptr_t)) {
        size_t len = to - from < CHUNK ? to - from : CHUNK;
        len &= ~(sizeof(uintptr_t) - 1);
        size_t got = copy_in(buf->chunk, from, len);
        buf->chunk_end = 0; /* no longer scan_root_words' copy */
        mark_words((const uintptr_t *)buf->chunk, got / sizeof(uintptr_t),
                   mark);
        if (got == len)
            from += len;
        else /* on past the page that failed */
            from = ((from + got) | (page_size - 1)) + 1;
    }
}

/* The slot of the cached window that starts at START, read if need be. */
static size_t
window(uintptr_t start)
{
    size_t slot = (size_t)(start / WINDOW) & (buf->slots - 1);
    if (buf->start[slot] != start || start == 0) {
        buf->start[slot] = start;
        buf->readable[slot] =
            copy_in(buf->window[slot], start, WINDOW) == WINDOW;
    }
    return slot;
}

/* The words of block B that point into blocks mark them. */
static void
scan_block(const struct leak_block *b, enum reach mark)
{
    uintptr_t at = b->p, to = b->p + b->size;
    if (b->size >= CHUNK) { /* a big one: read in order */
        scan_words(at, to, mark);
        return;
    }
    while (at < to && to - at >= sizeof(uintptr_t)) {
        uintptr_t start = at & ~(WINDOW - 1);
        uintptr_t end = to < start + WINDOW ? to : start + WINDOW;
        size_t slot = window(start);
        if (buf->readable[slot])
            mark_words((const uintptr_t *)(buf->window[slot] + (at - start)),
                       (end - at) / sizeof(uintptr_t), mark);
        at = end;
    }
}

/* The words of [FROM, TO), part of a root that ends at LIMIT: read a
 * CHUNK at a time, the gaps between blocks of a heap included, so that
 * each costs no system call of its own. */
static void
scan_root_words(uintptr_t from, uintptr_t to, uintptr_t limit)
{
    from = (from + sizeof(uintptr_t) - 1) & ~(uintptr_t)(sizeof(uintptr_t) - 1);
    while (from < to && to - from >= sizeof(uintptr_t)) {
        if (from < buf->chunk_start || from >= buf->chunk_end) {
            size_t len = limit - from < CHUNK ? limit - from : CHUNK;
            len &= ~(sizeof(uintptr_t) - 1);
            size_t got = copy_in(buf->chunk, from, len);
            buf->chunk_start = from;
            buf->chunk_end = from + got;
            if (got == 0) { /* on past the page that failed */
                from = (from | (page_size - 1)) + 1;
                continue;
            }
        }
        uintptr_t stop = to < buf->chunk_end ? to : buf->chunk_end;
        mark_words((const uintptr_t *)(buf->chunk + (from - buf->chunk_start)),
                   (stop - from) / sizeof(uintptr_t), REACHABLE);
        from = stop;
    }
}

/* Scan [START, END) as a root, minus the blocks and deadbyte's memory. */
static void
scan_root(uintptr_t start, uintptr_t end)
{
    size_t bi = 0, si = 0;
    {
        size_t lo = 0, hi = n_blocks;
        while (lo < hi) { /* first block ending after start */
            size_t mid = lo + (hi - lo) / 2;
            if (blocks[mid].end <= start)
                lo = mid + 1;
            else
                hi = mid;
        }
        bi = lo;
    }
    while (si < n_skips && skips[si].end <= start)
        si++;
    uintptr_t at = start;
    while (at < end) {
        uintptr_t next_block = bi < n_blocks ? blocks[bi].start : UINTPTR_MAX;
        uintptr_t next_skip = si < n_skips ? skips[si].start : UINTPTR_MAX;
        uintptr_t next = next_block < next_skip ? next_block : next_skip;
        if (next > end)
            next = end;
        if (next > at)
            scan_root_words(at, next, end);
        if (next == end)
            break;
        uintptr_t skip_end =
            next == next_block ? blocks[bi++].end : skips[si++].end;
        if (skip_end > at)
            at = skip_end;
    }
}

/* Pages of a shared mapping asked about per mincore call. */
#define RESIDENCY_PAGES 4096
static unsigned char residency[RESIDENCY_PAGES];

/*
 * Scan the pages of the shared mapping [START, END) that are in memory.
 * A table of pointers in shared memory (from MAP_SHARED | MAP_ANONYMOUS,
 * shm_open, memfd_create or shmget, seen by forked workers) is a root
 * like any other: skipped, it made a false leak of every block it held.
 * Only its resident pages, though: reading a hole of shared memory makes
 * the kernel supply a page for it (a large sparse mapping would be
 * committed whole), and reading a file's pages brings them in from disk;
 * holes hold nothing, and a program's pointers are in pages it wrote.
 */
static void
scan_resident(uintptr_t start, uintptr_t end)
{
    for (uintptr_t at = start; at < end;) {
        size_t pages = (end - at) / page_size;
        if (pages > RESIDENCY_PAGES)
            pages = RESIDENCY_PAGES;
        uintptr_t stop = at + pages * page_size;
        if (mincore((void *)at, stop - at, residency) == 0) {
            for (size_t i = 0; i < pages;) {
                size_t run = i;
                while (run < pages && (residency[run] & 1))
                    run++;
                if (run > i)
                    scan_root(at + i * page_size, at + run * page_size);
                i = run + 1;
            }
        }
        at = stop;
    }
}

static bool
scan_mapping(const struct mapping *m, void *arg)
{
    uintptr_t sp = *(const uintptr_t *)arg;
    /* Readable and writable memory only (not PROT_NONE reservations or
     * guard pages); not the kernel's pages; not devices (reading those
     * may do something), but /dev/zero, which MAP_SHARED | MAP_ANONYMOUS
     * memory is, and /dev/shm, where shm_open makes files in memory. */
    if (m->perms[0] != 'r' || m->perms[1] != 'w' ||
        strncmp(m->path, "[vvar", 5) == 0 ||
        (strncmp(m->path, "/dev/", 5) == 0 &&
         strncmp(m->path, "/dev/zero", 9) != 0 &&
         strncmp(m->path, "/dev/shm/", 9) != 0))
        return true;
    if (m->perms[3] == 's') {
        scan_resident(m->start, m->end);
        return true;
    }
    /* This thread's stack only from here up: below are dead frames, whose
     * stale pointers would hide leaks. */
    if (sp >= m->start && sp < m->end)
        scan_root(sp, m->end);
    else
        scan_root(m->start, m->end);
    return true;
}

/* Leaked blocks sorted by (reach, trace, serial), then grouped.  Ties
 * are broken by serial number, not address, so that two runs of a
 * program list the same groups in the same order, each led by the same
 * block (addresses change from run to run; serial numbers do not). */
struct group {
    size_t first, count, bytes;
};

#define BY_KIND(x, y)                                                          \
    ((x)->reach != (y)->reach   ? (x)->reach < (y)->reach                      \
     : (x)->trace != (y)->trace ? (x)->trace < (y)->trace                      \
                                : (x)->serial < (y)->serial)
#define BY_BYTES(x, y)                                                         \
    ((x)->bytes != (y)->bytes                                                  \
         ? (x)->bytes > (y)->bytes                                             \
         : blocks[(x)->first].serial < blocks[(y)->first].serial)
HEAPSORT(sort_by_kind, struct leak_block, BY_KIND)
HEAPSORT(sort_groups, struct group, BY_BYTES)

/*
 * One record per group: in the text, the line naming the process before
 * the first (FIRST), then the group's line, the command that stops where
 * its first block is made, and that block's traceback.
 */
static void
put_group(const struct group *g, bool first)
{
    const struct leak_block *b = &blocks[g->first];
    struct writer w;
    writer_open(&w, b->reach == REACHABLE  ? RECORD_STILL_REACHABLE
                    : b->reach == INDIRECT ? RECORD_INDIRECT_LEAK
                                           : RECORD_LEAK);
    writer_field_hex(&w, RECORD_FIELD_ADDRESS, b->p);
    writer_field_dec(&w, RECORD_FIELD_SIZE, b->size);
    writer_field(&w, RECORD_FIELD_API, (char[]){b->api, '\0'});
    const char *api_name = api_alloc_name(b->api);
    if (api_name && !b->tracked)
        writer_field(&w, RECORD_FIELD_API_NAME, api_name);
    writer_field_dec(&w, RECORD_FIELD_SERIAL, b->tracked ? 0 : b->serial);
    writer_field_dec(&w, RECORD_FIELD_TRACKED, b->tracked);
    writer_field_dec(&w, RECORD_FIELD_LEAK_BYTES, g->bytes);
    writer_field_dec(&w, RECORD_FIELD_LEAK_BLOCKS, g->count);
    /* Under the launcher every group names its process: it shows the
     * line before the first group it does not suppress. */
    if (first || w.records)
        writer_process(&w, "leak check");
    unsigned char data[16];
    size_t shown = b->size < sizeof data ? b->size : sizeof data;
    /* Read by the kernel: another thread may have freed it meanwhile. */
    if (shown && copy_in(data, b->p, shown) != shown)
        shown = 0;
    struct leak_words words = {
        b->reach == REACHABLE  ? "Still reachable: "
        : b->reach == INDIRECT ? "Indirect leak of "
                               : "Direct leak of ",
        g->bytes, g->count, b->p, b->size, b->serial, b->api, b->tracked,
        data, shown};
    writer_leak_lines(&w, &words);
    if (!b->tracked)
        writer_rerun(&w, b->serial);
    traces_put(&w, "alloc",
                     b->tracked ? "Memory block registered at"
                                : "Memory block allocated at",
                     b->trace);
    writer_close(&w);
}

/*
 * Other threads may free blocks while the scan reads: a block listed
 * live at the start, freed before the scan came to the word that held
 * it, is no leak (it was one of those threads' blocks, and is gone).
 * Keep only the unreached blocks the registry still holds, as they were.
 */
static void
drop_freed_meanwhile(void)
{
    size_t kept = 0;
    for (size_t i = 0; i < n_blocks; i++) {
        struct block_record now;
        const struct leak_block *b = &blocks[i];
        if (b->reach != REACHABLE &&
            (!registry_find(b->p, &now) || now.freed ||
             now.serial != b->serial || now.size != b->size))
            continue;
        blocks[kept++] = *b;
    }
    n_blocks = kept;
}

/* Group the blocks of KIND (consecutive after sort_by_kind), largest
 * group first, into GROUPS; returns how many. */
static size_t
make_groups(struct group *groups, enum reach kind, size_t *bytes,
            size_t *count)
{
    size_t n = 0;
    *bytes = *count = 0;
    for (size_t i = 0; i < n_blocks; i++) {
        if (blocks[i].reach != kind)
            continue;
        if (n == 0 || blocks[i].trace != blocks[groups[n - 1].first].trace ||
            blocks[groups[n - 1].first].reach != kind)
            groups[n++] = (struct group){i, 0, 0};
        groups[n - 1].count++;
        groups[n - 1].bytes += blocks[i].size;
        *bytes += blocks[i].size;
        ++*count;
    }
    sort_groups(groups, n);
    return n;
}

/* Has report() anything to say: a block nothing reaches, or with
 * --leaks=all any block? */
static bool
anything_to_report(void)
{
    for (size_t i = 0; i < n_blocks; i++)
        if (blocks[i].reach != REACHABLE || options.leaks == LEAKS_ALL)
            return true;
    return false;
}

static void
report(void)
{
    /* Else not even the report file: opening it made it (and the report
     * directory), empty, for every process with a block left at exit. */
    if (!anything_to_report())
        return;
    sort_by_kind(blocks, n_blocks);
    struct group *groups = map(n_blocks * sizeof *groups + 1);
    if (!groups)
        return;
    size_t db, dn, ib, in, rb, rn;
    bool any = false;
    size_t ng = make_groups(groups, UNREACHED, &db, &dn);
    for (size_t i = 0; i < ng; i++, any = true)
        put_group(&groups[i], !any);
    ng = make_groups(groups, INDIRECT, &ib, &in);
    for (size_t i = 0; i < ng; i++, any = true)
        put_group(&groups[i], !any);
    ng = make_groups(groups, REACHABLE, &rb, &rn);
    if (options.leaks == LEAKS_ALL)
        for (size_t i = 0; i < ng; i++, any = true)
            put_group(&groups[i], !any);
    if (any) {
        struct writer w;
        writer_open(&w, RECORD_LEAK_SUMMARY);
        writer_field_dec(&w, RECORD_FIELD_LEAK_BYTES, db + ib);
        writer_field_dec(&w, RECORD_FIELD_LEAK_BLOCKS, dn + in);
        writer_leak_summary_lines(&w, dn, db, in, ib, rn, rb);
        writer_close(&w);
    }
    munmap(groups, n_blocks * sizeof *groups + 1);
}

/* The buffers, with a slot for each window of the live blocks. */
static bool
map_buffers(void)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n_blocks; i++)
        bytes += blocks[i].end - blocks[i].start;
    size_t slots = MIN_SLOTS;
    while (slots < MAX_SLOTS && slots * WINDOW < bytes)
        slots *= 2;
    size_t head = (sizeof *buf + slots * (sizeof *buf->start + 1) +
                   WINDOW - 1) & ~(WINDOW - 1);
    buf_bytes = head + slots * WINDOW;
    unsigned char *m = map(buf_bytes);
    if (!m)
        return false;
    buf = (struct buffers *)m;
    buf->slots = slots;
    buf->start = (uintptr_t *)(m + sizeof *buf);
    buf->readable = (bool *)(buf->start + slots);
    buf->window = (unsigned char(*)[WINDOW])(m + head);
    return true;
}

/* "deadbyte: leak check skipped: WHY" -- never silently. */
static void
say_skipped(const char *why)
{
    struct writer w;
    writer_open(&w, RECORD_NOTE);
    writer_say(&w, "leak check skipped: ", why, NULL);
    writer_close(&w);
}

/* Without process_vm_readv (a seccomp filter may forbid it) the scan
 * could only read with plain loads, which may kill a correct program:
 * better no leak report, said so. */
static bool
can_read_safely(void)
{
    uintptr_t probe = 0, copy;
    struct iovec local = {&copy, sizeof copy}, remote = {&probe, sizeof probe};
    if (process_vm_readv(self, &local, 1, &remote, 1, 0) == sizeof copy)
        return true;
    say_skipped(errno == ENOSYS || errno == EPERM
                    ? "this process may not read its own memory with "
                      "process_vm_readv (a seccomp filter?)"
                    : "process_vm_readv fails on this process's memory");
    return false;
}

static void
unmap_tables(void)
{
    if (blocks)
        munmap(blocks, max_blocks * sizeof *blocks);
    if (work)
        munmap(work, max_blocks * sizeof *work);
    if (buf)
        munmap(buf, buf_bytes);
    blocks = NULL;
    work = NULL;
    buf = NULL;
}

void
leaks_check(uintptr_t stack_from)
{
    if (options.leaks == LEAKS_NO)
        return;
    size_t live = 0;
    registry_for_each(count_live, &live);
    if (live == 0)
        return;
    self = getpid();
    page_size = (size_t)sysconf(_SC_PAGESIZE);
    if (!can_read_safely())
        return;
    max_blocks = live + 1024; /* threads may still allocate meanwhile */
    blocks = map(max_blocks * sizeof *blocks);
    work = map(max_blocks * sizeof *work);
    if (!blocks || !work) {
        say_skipped("no memory for its tables (mmap failed)");
        unmap_tables();
        return;
    }
    n_blocks = n_work = n_skips = 0;
    registry_for_each(collect, NULL);
    sort_blocks(blocks, n_blocks);
    if (!map_buffers()) {
        say_skipped("no memory for its buffers (mmap failed)");
        unmap_tables();
        return;
    }

    /* The scan's own tables first: they hold every block's address, and
     * were they dropped from a full list, every block would look
     * reachable. */
    add_skip((uintptr_t)blocks, (uintptr_t)(blocks + max_blocks), NULL);
    add_skip((uintptr_t)work, (uintptr_t)(work + max_blocks), NULL);
    add_skip((uintptr_t)buf, (uintptr_t)buf + buf_bytes, NULL);
    registry_for_each_region(add_skip, NULL);
    QUARANTINE_FOR_ALL(q)
    quarantine_for_each_region(q, add_skip, NULL);
    traces_for_each_region(add_skip, NULL);
    /* The small-object allocator's arenas hold blocks, scanned as such
     * when reached, and free blocks, whose stale bytes are no roots. */
    smallobj_for_each_arena(add_skip, NULL);
    sort_skips(skips, n_skips);

    maps_for_each(scan_mapping, &stack_from);
    while (n_work > 0)
        scan_block(&blocks[work[--n_work]], REACHABLE);
    drop_freed_meanwhile();
    /* Leaked blocks that other leaked blocks point to are indirect. */
    for (size_t i = 0; i < n_blocks; i++)
        if (blocks[i].reach != REACHABLE)
            scan_block(&blocks[i], INDIRECT);
    report();
    unmap_tables();
}
