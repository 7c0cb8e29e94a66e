/* SPDX-License-Identifier: MIT */
/*
 * heapcheck.c -- check the whole heap: the guards of every live block and
 * the DEADBYTE fill of every block in the quarantine.  Runs when the
 * program asks (deadbyte_check_heap), every N allocator calls
 * (--check-every N) and at exit, so that an overflow of a block that is
 * never freed is reported too.  The lifecycle (lifecycle.h) decides
 * when: this file only checks.
 */
#include "config.h"

#include "heapcheck.h"

#include "api.h"
#include "block.h"
#include "dump.h"
#include "fmt.h"
#include "keep_going.h"
#include "options.h"
#include "quarantine.h"
#include "registry.h"
#include "report.h"
#include "safe_read.h"
#include "traces.h"
#include "writer_words.h"

#include <unistd.h>

/*
 * The first damaged block that a walk of the registry or the quarantine
 * found.  The walks hold a table's lock while they look at its blocks;
 * the report waits until they let go: written under one of deadbyte's
 * locks, it hung any thread (and any SIGABRT handler) that then
 * allocated from the same table.
 */
struct damage {
    bool found;
    enum block_fault fault; /* of a live block; BLOCK_OK: written after free */
    struct block_record record;
};

/* Is the block of RECORD still live, and the same block? */
static bool
still_live(const struct block_record *record)
{
    struct block_record now;
    return registry_find(record->p, &now) && !now.freed &&
           now.serial == record->serial &&
           now.alloc_trace == record->alloc_trace && now.size == record->size;
}

/*
 * What is wrong with the guard bytes of RECORD's block, which has a guard
 * page.  Another thread may free it as they are read, and a freed
 * block's pages are PROT_NONE: its header (or pad) is read through a
 * checked copy, and a block that cannot be read has nothing wrong.
 */
static enum block_fault
guarded_block_fault(const struct block_record *record)
{
    unsigned char head[2 * SST], pad[16];
    size_t pad_len = SST;
    if (record->guard == BLOCK_GUARD_AFTER) {
        if (!safe_read(head, (const void *)(record->p - sizeof head),
                       sizeof head))
            return BLOCK_OK;
        enum block_fault fault = block_check_head(head + sizeof head,
                                                  record->api);
        if (fault != BLOCK_OK)
            return fault;
        if (block_size(head + sizeof head) != record->size)
            return BLOCK_BAD_SIZE;
        pad_len = block_guarded_gap(record->p, record->size,
                                    (size_t)getpagesize());
    }
    if (!safe_read(pad, (const void *)(record->p + record->size), pad_len))
        return BLOCK_OK;
    return block_check_pad(pad, 0, pad_len);
}

static enum block_fault
block_fault(const struct block_record *record)
{
    if (record->guard != BLOCK_GUARD_NONE)
        return guarded_block_fault(record);
    return block_find_fault((const unsigned char *)record->p, record->size,
                            record->api, BLOCK_GUARD_NONE, record->api,
                            options.serialno);
}

static void
find_damaged_live(const struct block_record *record, void *arg)
{
    struct damage *damage = arg;
    if (damage->found || record->freed || record->tracked)
        return; /* being released, or in quarantine: checked below; or
                   the program's own memory, with no guards to check */
    if (options.keep_going && keep_going_marked(record->p))
        return; /* reported already */
    enum block_fault fault = block_fault(record);
    if (fault != BLOCK_OK)
        *damage = (struct damage){true, fault, *record};
}

static void
find_damaged_quarantined(const struct quarantine_item *item, void *arg)
{
    struct damage *damage = arg;
    /* The item says where the block's bytes are; its record is looked
     * up only for a report. */
    const unsigned char *base = (const unsigned char *)item->p - item->offset;
    struct block_record record;
    if (!damage->found && !item->guarded &&
        !(options.keep_going && keep_going_marked(item->p)) &&
        !block_still_dead(base, item->bytes, item->offset, item->size,
                          options.fill_limit) &&
        registry_find(item->p, &record))
        *damage = (struct damage){true, BLOCK_OK, record};
}

/* The first damaged live block not reported yet: reported; false if
 * there was none. */
HOOK_PATH static bool
report_damaged_live(const char *func)
{
    struct damage damage = {false, BLOCK_OK, {0}};
    registry_for_each(find_damaged_live, &damage);
    /* The heap's records are read without a lock: a block that another
     * thread began to free, or freed and got again, while its bytes were
     * read is no damage.  Damage is what is still there, on the block
     * still live and the same (looked at after the walk, which holds the
     * table's locks). */
    if (damage.found &&
        !(still_live(&damage.record) &&
          block_fault(&damage.record) == damage.fault &&
          still_live(&damage.record)))
        damage.found = false;
    if (damage.found) {
        /* Where the check was asked for: the program's call, or exit.
         * Captured only for a report: the first capture of a process
         * sets libunwind and the store of stacks up, which is most of
         * what a short process costs (and nothing at all had been
         * allocated in many, /bin/true among them). */
        uint32_t trace = traces_capture();
        struct report_bad bad = {func, damage.record.api,
                                 (const unsigned char *)damage.record.p,
                                 damage.fault, options.serialno, 0,
                                 &damage.record, trace};
        if (keep_going_first(damage.record.p))
            report_bad_block(&bad);
    }
    return damage.found;
}

/* The first block of the quarantine written to after free, and not
 * reported yet: reported; false if there was none. */
static bool
report_damaged_quarantined(const char *func)
{
    struct damage damage = {false, BLOCK_OK, {0}};
    QUARANTINE_FOR_ALL(q)
    quarantine_for_each(q, find_damaged_quarantined, &damage);
    if (damage.found && keep_going_first(damage.record.p))
        report_write_after_free(func, &damage.record, options.serialno);
    return damage.found;
}

/* Under --keep-going the reports return: then every damaged block is
 * reported, once (a reported block is marked, and passed by). */
HOOK_PATH int
deadbyte_check_heap(void)
{
    options_init();
    const char *func = "deadbyte_check_heap";
    while (report_damaged_live(func))
        ;
    while (report_damaged_quarantined(func))
        ;
    return 0;
}

/*
 * _exit and execve may be called from a signal handler, which may have
 * interrupted this thread inside the allocator, holding one of
 * deadbyte's locks: the check would wait for it for ever.  So may exit:
 * not async-signal-safe, but many handlers of SIGINT or SIGTERM call it,
 * and with glibc it works when nothing at exit allocates.  Then say so
 * and let the process end unchecked.
 */
bool
heapcheck_may_check_now(const char *how)
{
    if (registry_locks_free() && quarantine_locks_free())
        return true;
    struct writer w;
    writer_open(&w, RECORD_NOTE);
    writer_say(&w, how,
               ": the heap is not checked: this thread holds a lock of "
               "deadbyte's (a signal handler interrupted the allocator?)",
               NULL);
    writer_close(&w);
    return false;
}
