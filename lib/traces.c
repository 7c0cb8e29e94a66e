/* SPDX-License-Identifier: MIT */
/*
 * traces.c -- capture and intern call stacks.
 *
 * What a capture returns is what libunwind's unw_backtrace() would give
 * at that point, and on x86-64 most captures get it without libunwind:
 *
 * - A walk of our own, the one libunwind's fast trace (tdep_trace) does:
 *   from the frame of traces_capture(), each step looks up the rule of
 *   the return address (CFA = RSP or RBP + offset, return address at
 *   CFA-8, RBP kept or saved at CFA+offset), reads the return address and
 *   the saved RBP, and goes on.  Rules come from the DWARF CFI (cfi.c),
 *   once per return address, into a table shared by all threads.  A stack
 *   with any frame that libunwind's fast trace would not treat so (no CFI,
 *   a signal frame, an expression, ...) is left to unw_backtrace().  The
 *   first walks through each new return address are checked against
 *   unw_backtrace(); one difference turns the walk off for good.
 *
 * - A memo: the walk of deadbyte's own frames (few, their rules always
 *   in cache) reaches the program's call; from there on, the walk is a
 *   function of that frame (its return address, its CFA, and its RBP if
 *   a CFA is computed from it) and of the words it reads, in order: each
 *   address read follows from that frame and the words read before it,
 *   through rules that depend only on return addresses already read.  So
 *   a capture that reaches the same frame, and whose stack still holds,
 *   at each address a recorded walk from it read, the word read there,
 *   would walk the same frames: the recorded id is the answer, found with
 *   a few loads and no look-up of rules or stacks.  The words are the
 *   return addresses and the saved RBPs that a CFA is computed from (a
 *   saved RBP that no CFA uses is data, and changes the frames no more
 *   than any other data).  The same values at the same slots under
 *   another layout cannot fool it: a layout is decided by the return
 *   addresses (the rules) and the RBPs used, all among the words
 *   compared.  Comparing in the walk's own order, and stopping at the
 *   first difference, reads only words the walk -- and libunwind -- would
 *   read: live stack, never below it.  Memos live in a table shared by
 *   threads, each entry under a sequence count; the CFA in the key keeps
 *   threads apart.
 *
 * libunwind and the dynamic loader may allocate while we capture; a
 * per-thread guard makes those nested allocations skip capture (never the
 * block layout), so they cannot recurse.
 *
 * Interning: a stack is hashed (frame order counts: a recursive function
 * called from two sites makes stacks that differ only in the order of
 * the same return addresses) and looked up, without a lock, in an
 * open-addressing table of (hash, id) slots.  A stack not found there is
 * added under a lock: into an append-only store of chunks, then into the
 * table, which doubles when half full.  A grown table replaces the old
 * one with a release store; a reader still probing the old one finds it
 * emptied (its pages are given back to the kernel), misses, and looks
 * again under the lock, so nothing is ever lost and no reader waits.
 * Ids are offsets into the store: they stay valid for the life of the
 * process.  Everything lives in memory from mmap; the lock is taken
 * around fork (traces_lock), and only for stacks never seen before.
 */
#include "config.h"

#include "traces.h"

#include "cfi.h"
#include "frames.h"
#include "options.h"
#include "spinlock.h"

#include <errno.h>
/* libunwind's functions for this process only (libunwind.so), not
 * those that unwind others (libunwind-<arch>.so). */
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

/* Set by the linker around the HOOK_PATH functions. */
extern const char __start_deadbyte_hook_path[], __stop_deadbyte_hook_path[];

/* Initial-exec TLS: the preload library is loaded at start, and the
 * general-dynamic model may itself allocate on first access. */
static __thread bool capturing __attribute__((tls_model("initial-exec")));

/*
 * Frames of our own to unwind past on top of the ones kept: the deepest
 * hook path is 6 (operator new, new_block, hooks_memalign, alloc_block,
 * lay_out, traces_capture).  Every frame unwound costs as much as one
 * kept, so the slack is small; were a path deeper, its traces would lose
 * frames at the far end, nothing more.
 */
#define HOOK_PATH_DEPTH 8

/*
 * The store: chunks of 16 MiB, mapped when first needed (reserved
 * without swap: the kernel supplies pages as they are written), and
 * addressed in 8-byte units by 32-bit ids -- 2048 chunks make 2^32 ids.
 */
#define CHUNK_BITS 24
#define CHUNK_SIZE ((uint64_t)1 << CHUNK_BITS)
#define MAX_CHUNKS 2048

struct stored {
    uint32_t hash;
    uint32_t nframes; /* with FROM_FAULT if the first frame is a fault's */
    uintptr_t frames[];
};

/*
 * In a count of frames, as passed around here and stored: the first
 * frame is the address of an instruction that faulted (a signal's
 * context), not a return address.  Part of what makes two stacks the
 * same: the same addresses, one from a fault and one not, are two.
 */
#define FROM_FAULT ((size_t)1 << 31)

static size_t
count_of(size_t n)
{
    return n & ~FROM_FAULT;
}

static _Atomic(unsigned char *) chunks[MAX_CHUNKS];
/* Bytes of the store given out; below TRACES_FIRST_ID are no stacks. */
static _Atomic uint64_t store_used = 8 * TRACES_FIRST_ID;

/*
 * The tables, one per size ever used (4096 slots, then doubling: 2^32
 * slots is the 21st), each kept mapped once replaced, for the readers
 * that may still probe it.  A slot is hash << 32 | id, 0 when empty.
 */
#define INITIAL_SLOTS 4096
#define MAX_TABLES 24

struct table {
    _Atomic uint64_t *slots;
    size_t mask; /* slots - 1 */
    size_t used;
};

static struct table tables[MAX_TABLES];
static _Atomic(struct table *) current;
static atomic_size_t tables_made;
/* Held to add a stack, never to look one up. */
static struct spinlock adding;

/*
 * A hash in which each frame counts with its position: every (address,
 * position) pair is mixed on its own, so that the CPU overlaps the
 * multiplications (a chained hash waited for each one: a tenth of the
 * capture time), and the mixed values are summed.  The sum of the raw
 * addresses, position or not, let the stacks of a recursive function
 * fall into a few dozen values.
 */
static uint64_t
mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdu;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53u;
    x ^= x >> 33;
    return x;
}

static uint32_t
hash_frames(const uintptr_t *frames, size_t n)
{
    uint64_t h = mix64(n);
    for (size_t i = 0; i < count_of(n); i++)
        h += mix64((uint64_t)frames[i] + (i + 1) * 0x9e3779b97f4a7c15u);
    return (uint32_t)(h ^ (h >> 32));
}

/* The stack of ID, or NULL if ID names nothing stored. */
static const struct stored *
stored_at(uint32_t id)
{
    uint64_t at = (uint64_t)id * 8;
    if (id < TRACES_FIRST_ID ||
        at >= atomic_load_explicit(&store_used, memory_order_acquire))
        return NULL;
    unsigned char *chunk = atomic_load_explicit(&chunks[at >> CHUNK_BITS],
                                                memory_order_acquire);
    return chunk ? (const struct stored *)(chunk + (at & (CHUNK_SIZE - 1)))
                 : NULL;
}

static bool
same(uint32_t id, uint32_t hash, const uintptr_t *frames, size_t n)
{
    const struct stored *s = stored_at(id);
    return s && s->hash == hash && s->nframes == n &&
           memcmp(s->frames, frames, count_of(n) * sizeof *frames) == 0;
}

/* The id of the stack in table T, or 0.  The table is at most three
 * quarters full, so the probe ends at an empty slot. */
static uint32_t
find_in(const struct table *t, uint32_t hash, const uintptr_t *frames,
        size_t n)
{
    for (size_t at = hash & t->mask;; at = (at + 1) & t->mask) {
        uint64_t slot = atomic_load_explicit(&t->slots[at],
                                             memory_order_acquire);
        if (slot == 0)
            return 0;
        if ((uint32_t)(slot >> 32) == hash &&
            same((uint32_t)slot, hash, frames, n))
            return (uint32_t)slot;
    }
}

/* Put SLOT in the first empty slot of T from its hash on. */
static void
place(struct table *t, uint64_t slot)
{
    size_t at = (uint32_t)(slot >> 32) & t->mask;
    while (atomic_load_explicit(&t->slots[at], memory_order_relaxed))
        at = (at + 1) & t->mask;
    atomic_store_explicit(&t->slots[at], slot, memory_order_release);
}

/*
 * Replace the current table, OLD (NULL at first), by one twice as large
 * holding the same slots.  False if mmap failed.  Under the lock.
 */
static bool
grow(struct table *old)
{
    size_t made = atomic_load_explicit(&tables_made, memory_order_relaxed);
    size_t slots = old ? 2 * (old->mask + 1) : INITIAL_SLOTS;
    if (made == MAX_TABLES || slots > SIZE_MAX / sizeof(uint64_t))
        return false;
    /* Populated at once: the rehash writes all over it. */
    void *memory = mmap(NULL, slots * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (memory == MAP_FAILED)
        return false;
    struct table *t = &tables[made];
    t->slots = memory;
    t->mask = slots - 1;
    t->used = old ? old->used : 0;
    if (old)
        for (size_t i = 0; i <= old->mask; i++) {
            uint64_t slot = atomic_load_explicit(&old->slots[i],
                                                 memory_order_relaxed);
            if (slot)
                place(t, slot);
        }
    atomic_store_explicit(&tables_made, made + 1, memory_order_release);
    atomic_store_explicit(&current, t, memory_order_release);
    /* Readers of the old table now read zeros there: an empty slot, a
     * miss, and a second look under the lock. */
    if (old)
        madvise((void *)old->slots, (old->mask + 1) * sizeof(uint64_t),
                MADV_DONTNEED);
    return true;
}

/* Copy a stack into the store: its id, or why it could not be kept.
 * Under the lock. */
static uint32_t
append(uint32_t hash, const uintptr_t *frames, size_t n)
{
    uint64_t size = sizeof(struct stored) + count_of(n) * sizeof *frames;
    size = (size + 7) & ~(uint64_t)7;
    uint64_t at = atomic_load_explicit(&store_used, memory_order_relaxed);
    /* A stack never straddles two chunks. */
    if ((at & (CHUNK_SIZE - 1)) + size > CHUNK_SIZE)
        at = (at | (CHUNK_SIZE - 1)) + 1;
    size_t chunk = (size_t)(at >> CHUNK_BITS);
    if (chunk >= MAX_CHUNKS)
        return TRACES_FULL;
    unsigned char *memory = atomic_load_explicit(&chunks[chunk],
                                                 memory_order_relaxed);
    if (!memory) {
        void *fresh = mmap(NULL, CHUNK_SIZE, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (fresh == MAP_FAILED)
            return TRACES_NO_MEMORY;
        memory = fresh;
        atomic_store_explicit(&chunks[chunk], memory, memory_order_release);
    }
    struct stored *s = (struct stored *)(memory + (at & (CHUNK_SIZE - 1)));
    s->hash = hash;
    s->nframes = (uint32_t)n;
    memcpy(s->frames, frames, count_of(n) * sizeof *frames);
    atomic_store_explicit(&store_used, at + size, memory_order_release);
    return (uint32_t)(at / 8);
}

/* The stack not found without the lock: look again, then add it. */
static uint32_t
add(uint32_t hash, const uintptr_t *frames, size_t n)
{
    spinlock_lock(&adding);
    struct table *t = atomic_load_explicit(&current, memory_order_relaxed);
    uint32_t id = t ? find_in(t, hash, frames, n) : 0;
    if (id) {
        spinlock_unlock(&adding);
        return id;
    }
    /* Double at half full; if that fails, go on up to three quarters. */
    if (!t || (t->used + 1) * 2 > t->mask + 1) {
        if (grow(t))
            t = atomic_load_explicit(&current, memory_order_relaxed);
        else if (!t || (t->used + 1) * 4 > (t->mask + 1) * 3) {
            spinlock_unlock(&adding);
            return TRACES_NO_MEMORY;
        }
    }
    id = append(hash, frames, n);
    if (id >= TRACES_FIRST_ID) {
        place(t, (uint64_t)hash << 32 | id);
        t->used++;
    }
    spinlock_unlock(&adding);
    return id;
}

static uint32_t
intern(const uintptr_t *frames, size_t n)
{
    uint32_t hash = hash_frames(frames, n);
    const struct table *t = atomic_load_explicit(&current,
                                                 memory_order_acquire);
    uint32_t id = t ? find_in(t, hash, frames, n) : 0;
    return id ? id : add(hash, frames, n);
}

static bool
on_hook_path(uintptr_t pc)
{
    return pc >= (uintptr_t)__start_deadbyte_hook_path &&
           pc < (uintptr_t)__stop_deadbyte_hook_path;
}

/* At most this many frames are walked: those kept and ours above them. */
#define WALK_FRAMES (TRACES_MAX_FRAMES + HOOK_PATH_DEPTH)

/* Per thread: how to capture (tests), and how captures were made. */
static __thread int method __attribute__((tls_model("initial-exec")));
static __thread struct traces_counts counts
    __attribute__((tls_model("initial-exec")));

#if defined(__x86_64__)

/* ---- Rules of return addresses ----------------------------------------- */

/*
 * pc -> cfi_pack()ed rule, open addressing, never shrunk nor cleared.  A
 * slot's pc is claimed with a compare-and-swap, then its rule stored; a
 * reader that finds the pc without its rule yet looks the rule up itself
 * (the same rule: it depends on the pc alone).  Code unmapped by dlclose
 * and other code mapped at its address later would keep the old rules,
 * as libunwind's own cache of frames keeps them.
 */
#define RULE_BITS 18
#define RULE_SLOTS ((size_t)1 << RULE_BITS)
#define RULE_PROBES 32

struct rule_slot {
    _Atomic uintptr_t pc;
    _Atomic uint64_t rule;
};

static _Atomic(struct rule_slot *) rules;
/* Set when a walk gave other frames than unw_backtrace(): no more walks. */
static atomic_bool walk_off;

static size_t
rule_hash(uintptr_t pc)
{
    return (size_t)(((uint64_t)pc * 0x9e3779b97f4a7c15u) >> (64 - RULE_BITS));
}

static uint64_t
rule_find(uintptr_t pc)
{
    struct rule_slot *t = atomic_load_explicit(&rules, memory_order_acquire);
    if (!t)
        return 0;
    size_t at = rule_hash(pc);
    for (int probe = 0; probe < RULE_PROBES; probe++) {
        uintptr_t here = atomic_load_explicit(&t[at].pc, memory_order_acquire);
        if (here == pc)
            return atomic_load_explicit(&t[at].rule, memory_order_acquire);
        if (here == 0)
            return 0;
        at = (at + 1) & (RULE_SLOTS - 1);
    }
    return 0;
}

static struct rule_slot *
rule_table(void)
{
    struct rule_slot *t = atomic_load_explicit(&rules, memory_order_acquire);
    if (t)
        return t;
    void *fresh = mmap(NULL, RULE_SLOTS * sizeof *t, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (fresh == MAP_FAILED)
        return NULL;
    if (atomic_compare_exchange_strong_explicit(&rules, &t, fresh,
                                                memory_order_acq_rel,
                                                memory_order_acquire))
        return fresh;
    munmap(fresh, RULE_SLOTS * sizeof *t);
    return t;
}

/* The rule of PC from its CFI, kept in the table if there is room. */
static uint64_t
rule_learn(uintptr_t pc)
{
    uint64_t rule = cfi_pack(cfi_rule_of(pc));
    struct rule_slot *t = rule_table();
    if (!t)
        return rule;
    size_t at = rule_hash(pc);
    for (int probe = 0; probe < RULE_PROBES; probe++) {
        uintptr_t here = 0;
        if (atomic_compare_exchange_strong_explicit(
                &t[at].pc, &here, pc, memory_order_acq_rel,
                memory_order_acquire) ||
            here == pc) {
            atomic_store_explicit(&t[at].rule, rule, memory_order_release);
            return rule;
        }
        at = (at + 1) & (RULE_SLOTS - 1);
    }
    return rule;
}

/* ---- The walk ------------------------------------------------------------ */

/* A frame: its return address, CFA (the stack pointer in it) and RBP. */
struct cursor {
    uintptr_t rip, cfa, rbp;
};

/*
 * Where the walk starts: a return address into traces_capture(), the
 * stack pointer after that return, and RBP then.  unw_backtrace() starts
 * in its own frame and steps into traces_capture() at another call; the
 * CFI of any point of a function gives the same CFA and the same saved
 * registers of its caller (RBP in the register or in its slot, whichever
 * the row says), so from the caller on both walks are one.
 */
void deadbyte_traces_here(struct cursor *start)
    __attribute__((visibility("hidden")));
__asm__(".pushsection .text\n"
        ".p2align 4\n"
        ".type deadbyte_traces_here, @function\n"
        "deadbyte_traces_here:\n"
        ".cfi_startproc\n"
        "movq (%rsp), %rax\n"
        "movq %rax, (%rdi)\n"
        "leaq 8(%rsp), %rax\n"
        "movq %rax, 8(%rdi)\n"
        "movq %rbp, 16(%rdi)\n"
        "ret\n"
        ".cfi_endproc\n"
        ".size deadbyte_traces_here, .-deadbyte_traces_here\n"
        ".popsection\n");

/* The words read that a walk's frames depend on, as many as a memo
 * keeps (a walk that reads more is not memoized). */
#define MEMO_READS 40

struct walk {
    uintptr_t *frames; /* where the frames go */
    size_t n;          /* frames */
    size_t reads;      /* words read that the frames depend on, in order */
    bool learned;      /* a rule was looked up in the CFI */
    bool start_bp;     /* the frames depend on the first frame's RBP */
    bool ended;        /* the stack ended (else: MAX frames, or the site) */
    uintptr_t read_at[MEMO_READS];
    uintptr_t read_value[MEMO_READS];
};

static void
note_read(struct walk *w, uintptr_t at, uintptr_t value)
{
    if (w->reads < MEMO_READS) {
        w->read_at[w->reads] = at;
        w->read_value[w->reads] = value;
    }
    w->reads++;
}

/*
 * Walk up to MAX frames up from the frame *C into W->frames, as
 * libunwind's tdep_trace would; with TO_SITE, stop at the first frame off
 * deadbyte's hook path (the program's call), and leave *C there.  False
 * if a frame needs more than tdep_trace's standard step (then
 * unw_backtrace() must do it).
 *
 * Of the words read, W keeps in order those the frames depend on: every
 * return address, and a saved RBP only if a CFA is computed from it (most
 * RBPs saved by code built without frame pointers are data, which would
 * make every memo miss); a CFA computed from the first frame's RBP sets
 * start_bp.
 */
static bool
walk(struct cursor *c, size_t max, struct walk *w, bool to_site)
{
    uintptr_t rip = c->rip, cfa = c->cfa, rbp = c->rbp;
    /* Where RBP was read, not yet kept; 0 for the first frame's RBP. */
    uintptr_t rbp_at = 0;
    bool rbp_kept = false;
    w->n = w->reads = 0;
    w->start_bp = w->ended = false;
    while (w->n < max) {
        uint64_t word = rule_find(rip);
        if (!word) {
            word = rule_learn(rip);
            w->learned = true;
        }
        struct cfi_rule rule = cfi_unpack(word);
        if (rule.kind == CFI_LAST) {
            w->ended = true;
            break;
        }
        if (rule.kind != CFI_STANDARD)
            return false;
        if (rule.cfa_on_rbp && !rbp_kept) {
            if (rbp_at)
                note_read(w, rbp_at, rbp);
            else
                w->start_bp = true;
            rbp_kept = true;
        }
        uintptr_t next_cfa = (rule.cfa_on_rbp ? rbp : cfa) +
                             (uintptr_t)(intptr_t)rule.cfa_offset;
        uintptr_t next_rip = *(const uintptr_t *)(next_cfa - 8);
        note_read(w, next_cfa - 8, next_rip);
        if (rule.rbp_saved) {
            rbp_at = next_cfa + (uintptr_t)(intptr_t)rule.rbp_offset;
            rbp = *(const uintptr_t *)rbp_at;
            rbp_kept = false;
        }
        /* unw_step() calls a frame that goes nowhere bad; so do we. */
        if (next_rip == rip && next_cfa == cfa)
            return false;
        rip = next_rip;
        cfa = next_cfa;
        if (rip < 0x4000) { /* tdep_trace's end of the stack */
            w->ended = true;
            break;
        }
        w->frames[w->n++] = rip;
        if (to_site && !on_hook_path(rip))
            break;
    }
    c->rip = rip;
    c->cfa = cfa;
    c->rbp = rbp;
    return true;
}

/* ---- Memos --------------------------------------------------------------- */

/*
 * A walk from the program's call (the first frame off the hook path,
 * reached by a walk of deadbyte's own frames, few and always the same):
 * that frame (return address, CFA, and RBP if a CFA was computed from
 * it), the frames asked for, the reads made (as offsets from the CFA),
 * and the id the frames interned to.  An odd sequence count means the
 * entry is being written; readers check the count again before each word
 * they act on, so that no address from a half-written entry is ever
 * read.  A thread that dies in the middle of a write (fork) leaves its
 * entry odd: unused from then on, nothing worse.
 */
#define MEMO_BITS 12
#define MEMO_SLOTS ((size_t)1 << MEMO_BITS)

struct memo {
    _Atomic uint64_t seq;
    _Atomic uintptr_t rip, cfa, rbp;
    _Atomic uint32_t id;
    _Atomic uint8_t reads, max, limit;
    _Atomic bool start_bp; /* rbp is part of the key */
    _Atomic int32_t offset[MEMO_READS];
    _Atomic uintptr_t value[MEMO_READS];
};

static _Atomic(struct memo *) memos;

static struct memo *
memo_slot(const struct cursor *site, bool make)
{
    struct memo *table = atomic_load_explicit(&memos, memory_order_acquire);
    if (!table) {
        if (!make)
            return NULL;
        void *fresh = mmap(NULL, MEMO_SLOTS * sizeof *table,
                           PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (fresh == MAP_FAILED)
            return NULL;
        if (atomic_compare_exchange_strong_explicit(&memos, &table, fresh,
                                                    memory_order_acq_rel,
                                                    memory_order_acquire))
            table = fresh;
        else
            munmap(fresh, MEMO_SLOTS * sizeof *table);
    }
    uint64_t key = mix64((uint64_t)site->rip ^ (uint64_t)site->cfa * 31);
    return &table[key >> (64 - MEMO_BITS)];
}

/* Relaxed loads of the entry; the sequence count says if they held. */
#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)

static bool
still(struct memo *m, uint64_t seq)
{
    atomic_thread_fence(memory_order_acquire);
    return LOAD(m->seq) == seq;
}

/* The id of the recorded walk that a walk of MAX frames from SITE would
 * repeat, or 0. */
static uint32_t
memo_find(const struct cursor *site, size_t max, size_t limit)
{
    struct memo *m = memo_slot(site, false);
    if (!m)
        return 0;
    uint64_t seq = atomic_load_explicit(&m->seq, memory_order_acquire);
    if ((seq & 1) || LOAD(m->rip) != site->rip || LOAD(m->cfa) != site->cfa ||
        LOAD(m->max) != max || LOAD(m->limit) != limit ||
        (LOAD(m->start_bp) && LOAD(m->rbp) != site->rbp))
        return 0;
    size_t reads = LOAD(m->reads);
    uint32_t id = LOAD(m->id);
    if (reads > MEMO_READS || !still(m, seq))
        return 0;
    for (size_t i = 0; i < reads; i++) {
        intptr_t offset = LOAD(m->offset[i]);
        uintptr_t value = LOAD(m->value[i]);
        if (!still(m, seq) ||
            *(const uintptr_t *)(site->cfa + (uintptr_t)offset) != value)
            return 0;
    }
    return id;
}

static void
memo_keep(const struct cursor *site, size_t max, size_t limit,
          const struct walk *w, uint32_t id)
{
    if (w->reads > MEMO_READS)
        return; /* reads beyond MEMO_READS were counted, not kept */
    for (size_t i = 0; i < w->reads; i++) {
        intptr_t offset = (intptr_t)(w->read_at[i] - site->cfa);
        if (offset < INT32_MIN || offset > INT32_MAX)
            return;
    }
    struct memo *m = memo_slot(site, true);
    if (!m)
        return;
    uint64_t seq = atomic_load_explicit(&m->seq, memory_order_relaxed);
    if ((seq & 1) ||
        !atomic_compare_exchange_strong_explicit(&m->seq, &seq, seq + 1,
                                                 memory_order_acq_rel,
                                                 memory_order_relaxed))
        return;
    atomic_thread_fence(memory_order_release);
#define STORE(x, v) atomic_store_explicit(&(x), (v), memory_order_relaxed)
    STORE(m->rip, site->rip);
    STORE(m->cfa, site->cfa);
    STORE(m->rbp, site->rbp);
    STORE(m->start_bp, w->start_bp);
    STORE(m->max, (uint8_t)max);
    STORE(m->limit, (uint8_t)limit);
    STORE(m->reads, (uint8_t)w->reads);
    STORE(m->id, id);
    for (size_t i = 0; i < w->reads; i++) {
        STORE(m->offset[i], (int32_t)(w->read_at[i] - site->cfa));
        STORE(m->value[i], w->read_value[i]);
    }
#undef STORE
    atomic_store_explicit(&m->seq, seq + 2, memory_order_release);
}

#endif /* __x86_64__ */

/* The id of FRAMES[0 .. GOT), once deadbyte's own are dropped. */
static uint32_t
keep(const uintptr_t *frames, size_t got, size_t limit)
{
    size_t skip = 0;
    while (skip < got && on_hook_path(frames[skip]))
        skip++;
    size_t n = got - skip;
    if (n > limit)
        n = limit;
    return n ? intern(frames + skip, n) : TRACES_NO_FRAMES;
}

/* unw_backtrace() of at most MAX frames into RAW: how many.  Always
 * inlined, also without optimization: a frame of its own would be in the
 * stack. */
static inline __attribute__((always_inline)) size_t
libunwind_frames(uintptr_t *raw, size_t max)
{
    int got = unw_backtrace((void **)raw, (int)max);
    return got > 0 ? (size_t)got : 0;
}

#if defined(__x86_64__)
/*
 * Does unw_backtrace() give the N FRAMES walked from traces_capture(),
 * which called us with MAX?  A function of its own, so that its array is
 * on the stack only here; so unw_backtrace() sees one frame more than
 * from traces_capture(), its return here.
 */
static __attribute__((noinline)) bool
libunwind_agrees(const uintptr_t *frames, size_t n, size_t max)
{
    uintptr_t raw[WALK_FRAMES + 1];
    size_t got = libunwind_frames(raw, max + 1);
    return got == n + 2 && memcmp(raw + 2, frames, n * sizeof *raw) == 0;
}
#endif

HOOK_PATH uint32_t
traces_capture(void)
{
    size_t want = options.frames;
    if (want == 0)
        return TRACES_NONE;
    if (capturing)
        return TRACES_BUSY;
    capturing = true;
    /* libunwind may leave errno changed (EAGAIN from its address checks);
     * the program must see the errno the C library would leave. */
    int saved_errno = errno;
    size_t limit = want < TRACES_MAX_FRAMES ? want : TRACES_MAX_FRAMES;
    size_t max = limit + HOOK_PATH_DEPTH; /* frames unw_backtrace gives */
    int how = method;
    uint32_t id;
    uintptr_t raw[WALK_FRAMES];
#if defined(__x86_64__)
    if (how == TRACES_METHOD_LIBUNWIND ||
        atomic_load_explicit(&walk_off, memory_order_relaxed))
        goto libunwind;
    /* unw_backtrace's first frame is its return into this function: the
     * walk gives the others, our own (to the site) and the program's. */
    struct cursor at;
    deadbyte_traces_here(&at);
    /* Field by field: an initializer would zero the record of reads,
     * 640 bytes, at every capture (a sixth of traces_capture's samples
     * on python3, about 3% of the run). */
    struct walk w;
    w.frames = raw + 1;
    w.n = w.reads = 0;
    w.learned = w.start_bp = w.ended = false;
    if (!walk(&at, max - 1, &w, true))
        goto libunwind;
    size_t n = w.n;
    bool learned = w.learned;
    /* AT is now the program's call, the last frame walked, unless the
     * stack or the frames asked for ended on the hook path. */
    bool at_site = !w.ended && n < max - 1;
    struct cursor site = at;
    size_t rest = max - 1 - n;
    if (at_site) {
        if (how == TRACES_METHOD_AUTO &&
            (id = memo_find(&site, rest, limit))) {
            counts.memo++;
            goto done;
        }
        w.frames = raw + 1 + n;
        if (!walk(&at, rest, &w, false))
            goto libunwind;
        n += w.n;
        learned |= w.learned;
    }
    if (learned && !libunwind_agrees(raw + 1, n, max)) {
        /* The rules went wrong somewhere: libunwind from now on. */
        atomic_store_explicit(&walk_off, true, memory_order_relaxed);
        goto libunwind;
    }
    counts.walked++;
    id = keep(raw + 1, n, limit);
    if (at_site && how == TRACES_METHOD_AUTO && id >= TRACES_FIRST_ID)
        memo_keep(&site, rest, limit, &w, id);
    goto done;
libunwind:
#endif
    counts.libunwind++;
    id = keep(raw, libunwind_frames(raw, max), limit);
#if defined(__x86_64__)
done:
#endif
    errno = saved_errno;
    capturing = false;
    return id;
}

uint32_t
traces_capture_context(const void *ucontext)
{
    size_t want = options.frames;
    if (want == 0)
        return TRACES_NONE;
    if (capturing)
        return TRACES_BUSY;
    capturing = true;
    int saved_errno = errno;
    size_t limit = want < TRACES_MAX_FRAMES ? want : TRACES_MAX_FRAMES;
    uintptr_t frames[TRACES_MAX_FRAMES];
    size_t n = 0;
    unw_cursor_t cursor;
    /* A signal frame: libunwind takes the first address as the
     * instruction itself, not a return address, when it looks up its
     * unwinding rules.  Local unwinding only reads the context. */
    if (unw_init_local2(&cursor, (unw_context_t *)(uintptr_t)ucontext,
                        UNW_INIT_SIGNAL_FRAME) == 0) {
        do {
            unw_word_t ip;
            if (unw_get_reg(&cursor, UNW_REG_IP, &ip) != 0 || ip == 0)
                break;
            frames[n++] = (uintptr_t)ip;
        } while (n < limit && unw_step(&cursor) > 0);
    }
    uint32_t id = n ? intern(frames, n | FROM_FAULT) : TRACES_NO_FRAMES;
    errno = saved_errno;
    capturing = false;
    return id;
}

void
traces_set_method(enum traces_method how)
{
    method = how;
}

void
traces_get_counts(struct traces_counts *out)
{
    *out = counts;
}

bool
traces_walk_trusted(void)
{
#if defined(__x86_64__)
    return !atomic_load_explicit(&walk_off, memory_order_relaxed);
#else
    return false;
#endif
}

size_t
traces_get(uint32_t id, uintptr_t *frames, size_t max)
{
    const struct stored *s = stored_at(id);
    if (!s)
        return 0;
    size_t n = count_of(s->nframes) < max ? count_of(s->nframes) : max;
    memcpy(frames, s->frames, n * sizeof *frames);
    return n;
}

bool
traces_from_fault(uint32_t id)
{
    const struct stored *s = stored_at(id);
    return s && (s->nframes & FROM_FAULT);
}

void
traces_for_each_region(void (*fn)(uintptr_t, uintptr_t, void *), void *arg)
{
    size_t made = atomic_load_explicit(&tables_made, memory_order_acquire);
    for (size_t i = 0; i < made; i++)
        fn((uintptr_t)tables[i].slots,
           (uintptr_t)(tables[i].slots + tables[i].mask + 1), arg);
    for (size_t i = 0; i < MAX_CHUNKS; i++) {
        unsigned char *chunk = atomic_load_explicit(&chunks[i],
                                                    memory_order_acquire);
        if (chunk)
            fn((uintptr_t)chunk, (uintptr_t)chunk + CHUNK_SIZE, arg);
    }
    /* The walk's tables: the memo holds copies of stack words, which may
     * be pointers to blocks, and must not make a leak look reachable. */
    struct rule_slot *r = atomic_load_explicit(&rules, memory_order_acquire);
    if (r)
        fn((uintptr_t)r, (uintptr_t)(r + RULE_SLOTS), arg);
    struct memo *m = atomic_load_explicit(&memos, memory_order_acquire);
    if (m)
        fn((uintptr_t)m, (uintptr_t)(m + MEMO_SLOTS), arg);
}

void
traces_lock(void)
{
    spinlock_lock(&adding);
}

void
traces_unlock(void)
{
    spinlock_unlock(&adding);
}

void
traces_put(struct writer *w, const char *role, const char *title, uint32_t id)
{
    uintptr_t frames[TRACES_MAX_FRAMES];
    size_t n = traces_get(id, frames, TRACES_MAX_FRAMES);
    enum frames_missing why = id == TRACES_BUSY        ? FRAMES_BUSY
                              : id == TRACES_NO_FRAMES  ? FRAMES_NONE_FOUND
                              : id == TRACES_NO_MEMORY  ? FRAMES_NO_MEMORY
                              : id == TRACES_FULL       ? FRAMES_FULL
                                                        : FRAMES_NOT_RECORDED;
    frames_put_trace(w, role, title, frames, n, traces_from_fault(id), why);
}
