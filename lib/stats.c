/* SPDX-License-Identifier: MIT */
/*
 * stats.c -- deadbyte_print_stats(): the small-object allocator's
 * numbers in the layout of CPython's _PyObject_DebugMallocStats
 * (PYTHONMALLOCSTATS, sys._debugmallocstats()), so that its readers find
 * their way: the size-class table, then one "label = value" line per
 * number, whose byte counts add up to the arenas' size.
 *
 * It may run inside the allocator (at each new arena): no malloc, no
 * stdio; text goes out through fmt.h with write(2).
 */
#include "config.h"

#include "stats.h"

#include "api.h"
#include "fmt.h"
#include "hooks.h"
#include "options.h"
#include "quarantine.h"
#include "registry.h"
#include "smallobj.h"
#include "usage.h"
#include "writer.h"

#include <string.h>
#include <unistd.h>

/* N right-justified in WIDTH columns; with COMMAS, grouped by thousands
 * ("1,048,576"). */
static void
put_right(struct fmt *out, size_t n, size_t width, bool commas)
{
    char digits[32];
    size_t i = sizeof digits, k = 0;
    do {
        if (commas && k > 0 && k % 3 == 0)
            digits[--i] = ',';
        digits[--i] = (char)('0' + n % 10);
        n /= 10;
        k++;
    } while (n > 0);
    for (size_t len = sizeof digits - i; len < width; len++)
        fmt_char(out, ' ');
    fmt_mem(out, digits + i, sizeof digits - i);
}

/* S, then spaces up to WIDTH columns. */
static void
put_left(struct fmt *out, const char *s, size_t width)
{
    fmt_str(out, s);
    for (size_t len = strlen(s); len < width; len++)
        fmt_char(out, ' ');
}

/* CPython's printone(): the label padded to 35 columns, '=', the value
 * with commas right-justified in 21.  Returns VALUE, for the totals. */
static size_t
printone(struct fmt *out, const char *label, size_t value)
{
    put_left(out, label, 35);
    fmt_char(out, '=');
    put_right(out, value, 21, true);
    fmt_char(out, '\n');
    return value;
}

/* "%zu <what> * %zu <unit>" as a label, in LABEL (a string buffer). */
static const char *
count_label(struct fmt *label, size_t count, const char *what, size_t size,
            const char *unit)
{
    fmt_open(label, -1); /* a buffer only: never flushed */
    fmt_dec(label, count);
    fmt_str(label, what);
    fmt_dec(label, size);
    fmt_str(label, unit);
    label->buf[label->len] = '\0';
    return label->buf;
}

/* Does a domain use the small-object allocator, beneath the hooks or
 * not?  If none does and it holds nothing, there is nothing to say (as
 * CPython prints nothing when pymalloc is off). */
static bool
smallobj_in_use(const struct smallobj_stats *s, bool *obj_hooked)
{
    bool used = s->arenas > 0;
    *obj_hooked = false;
    for (int d = DEADBYTE_DOMAIN_MEM; d <= DEADBYTE_DOMAIN_OBJ; d++) {
        deadbyte_allocator_t a, base;
        deadbyte_get_allocator((deadbyte_domain_t)d, &a);
        if (hooks_base_of(&a, &base)) {
            if (d == DEADBYTE_DOMAIN_OBJ)
                *obj_hooked = true;
            a = base;
        }
        used = used || smallobj_is(&a);
    }
    return used;
}

static void
put_classes(struct fmt *out, const struct smallobj_stats *s)
{
    fmt_str(out, "Small block threshold = ");
    fmt_dec(out, SMALLOBJ_THRESHOLD);
    fmt_str(out, ", in ");
    fmt_dec(out, SMALLOBJ_CLASSES);
    fmt_str(out, " size classes.\n\n"
                 "class   size   num pools   blocks in use  avail blocks\n"
                 "-----   ----   ---------   -------------  ------------\n");
    for (unsigned c = 0; c < SMALLOBJ_CLASSES; c++) {
        if (s->pools[c] == 0)
            continue;
        /* CPython's "%5u %6u %11zu %15zu %13zu". */
        put_right(out, c, 5, false);
        fmt_char(out, ' ');
        put_right(out, smallobj_class_size(c), 6, false);
        fmt_char(out, ' ');
        put_right(out, s->pools[c], 11, false);
        fmt_char(out, ' ');
        put_right(out, s->blocks[c], 15, false);
        fmt_char(out, ' ');
        put_right(out, s->free_blocks[c], 13, false);
        fmt_char(out, '\n');
    }
    fmt_char(out, '\n');
}

/* What the arenas' bytes hold: the lines add up to arenas * 1 MiB. */
static void
put_bytes(struct fmt *out, const struct smallobj_stats *s)
{
    size_t allocated = 0, available = 0, headers = 0, quantization = 0;
    for (unsigned c = 0; c < SMALLOBJ_CLASSES; c++) {
        size_t size = smallobj_class_size(c);
        allocated += s->blocks[c] * size;
        available += s->free_blocks[c] * size;
        headers += s->pools[c] * SMALLOBJ_POOL_OVERHEAD;
        quantization += s->pools[c] *
                        ((SMALLOBJ_POOL_SIZE - SMALLOBJ_POOL_OVERHEAD) % size);
    }
    struct fmt label;
    size_t total = printone(out, "# bytes in allocated blocks", allocated);
    total += printone(out, "# bytes in available blocks", available);
    total += printone(out,
                      count_label(&label, s->unused_pools, " unused pools * ",
                                  SMALLOBJ_POOL_SIZE, " bytes"),
                      s->unused_pools * SMALLOBJ_POOL_SIZE);
    total += printone(out, "# bytes lost to pool headers", headers);
    total += printone(out, "# bytes lost to quantization", quantization);
    total +=
        printone(out, "# bytes lost to arena alignment", s->alignment_loss);
    printone(out, "Total", total);
}

static void
put_arena_map(struct fmt *out)
{
    struct arenamap_counts m;
    arenamap_get_counts(&m);
    fmt_str(out, "\narena map counts\n");
    printone(out, "# arena map mid nodes", m.mid_nodes);
    printone(out, "# arena map bot nodes", m.bot_nodes);
    fmt_char(out, '\n');
    size_t total =
        printone(out, "# bytes lost to arena map root", m.root_bytes);
    total += printone(out, "# bytes lost to arena map mid", m.mid_bytes);
    total += printone(out, "# bytes lost to arena map bot", m.bot_bytes);
    printone(out, "Total", total);
}

static void put_smallobj(struct fmt *out, bool even_unused);

/* ---- What the debug hooks know ------------------------------------ */

/* The API ids, in the order of the table. */
static const char apis[] = {'r', 'm', 'o', 'n', 'a'};
#define N_APIS sizeof apis

struct hook_counts {
    size_t live[N_APIS], live_bytes[N_APIS];
    size_t tracked[N_APIS], tracked_bytes[N_APIS];
    size_t freed, freed_bytes; /* held back in the quarantines */
};

static void
count_record(const struct block_record *r, void *arg)
{
    struct hook_counts *c = arg;
    if (r->freed) {
        c->freed++;
        c->freed_bytes += r->size;
        return;
    }
    const char *at = memchr(apis, r->api, N_APIS);
    if (!at)
        return;
    size_t i = (size_t)(at - apis);
    if (r->tracked) {
        c->tracked[i]++;
        c->tracked_bytes[i] += r->size;
    } else {
        c->live[i]++;
        c->live_bytes[i] += r->size;
    }
}

/* Are the debug hooks over any domain, or have they made a block (the
 * preload library's malloc and new)? */
static bool
hooks_in_use(size_t peak_blocks)
{
    if (peak_blocks > 0)
        return true;
    for (int d = DEADBYTE_DOMAIN_RAW; d <= DEADBYTE_DOMAIN_OBJ; d++) {
        deadbyte_allocator_t a;
        deadbyte_get_allocator((deadbyte_domain_t)d, &a);
        if (hooks_installed(&a))
            return true;
    }
    return false;
}

/*
 * The blocks the hooks hold, per API: live (handed out, not freed) and
 * tracked (deadbyte_track), with the peak of live ones, then what the
 * quarantines hold back.  A table in the spirit of the size classes'.
 */
static void
put_hooks(struct fmt *out)
{
    size_t peak_blocks, peak_bytes;
    usage_peaks(&peak_blocks, &peak_bytes);
    if (!hooks_in_use(peak_blocks))
        return;
    struct hook_counts c;
    memset(&c, 0, sizeof c);
    registry_for_each(count_record, &c);
    fmt_str(out, "Debug hooks: blocks per API.\n\n"
                 "API  allocated with        live blocks      live bytes"
                 "  tracked blocks   tracked bytes\n"
                 "---  --------------------  -----------  --------------"
                 "  --------------  --------------\n");
    size_t live = 0, live_bytes = 0;
    for (size_t i = 0; i < N_APIS; i++) {
        if (c.live[i] == 0 && c.tracked[i] == 0)
            continue;
        const char *name = api_alloc_name(apis[i]);
        fmt_char(out, '\'');
        fmt_char(out, apis[i]);
        fmt_str(out, "'  ");
        put_left(out, name, 20);
        put_right(out, c.live[i], 13, true);
        put_right(out, c.live_bytes[i], 16, true);
        put_right(out, c.tracked[i], 16, true);
        put_right(out, c.tracked_bytes[i], 16, true);
        fmt_char(out, '\n');
        live += c.live[i];
        live_bytes += c.live_bytes[i];
    }
    fmt_char(out, '\n');
    printone(out, "# live blocks", live);
    printone(out, "# live bytes (requested)", live_bytes);
    /* Batched per thread (usage.h): never below what is live now. */
    printone(out, "# peak live blocks", peak_blocks > live ? peak_blocks : live);
    printone(out, "# peak live bytes",
             peak_bytes > live_bytes ? peak_bytes : live_bytes);
    printone(out, "# blocks in quarantine", c.freed);
    printone(out, "# bytes in quarantine (requested)", c.freed_bytes);
    size_t held = 0;
    QUARANTINE_FOR_ALL(q)
    held += quarantine_bytes(q);
    printone(out, "# bytes in quarantine (allocated)", held);
    printone(out, "# quarantine budget, each of 2", options.quarantine);
}

/* The statistics to FD.  EVEN_UNUSED: the small-object allocator's part
 * also before its first arena, as CPython prints it; at exit a program
 * that never used it (any program under the launcher that does not call
 * the mem and obj domains) is spared a table of zeros. */
static void
print_stats(int fd, bool even_unused)
{
    options_init();
    struct fmt out;
    fmt_open(&out, fd);
    put_smallobj(&out, even_unused);
    put_hooks(&out);
    fmt_flush(&out);
}

void
deadbyte_print_stats(int fd)
{
    print_stats(fd, true);
}

/* ---- The small-object allocator ------------------------------------ */

static void
put_smallobj(struct fmt *out, bool even_unused)
{
    struct smallobj_stats s;
    smallobj_get_stats(&s);
    bool obj_hooked;
    if (!smallobj_in_use(&s, &obj_hooked) ||
        (!even_unused && s.arenas_total == 0))
        return;
    put_classes(out, &s);
    /* CPython counts its debug hooks' calls here: so do we, with the
     * serial numbers (one per allocation in any domain, as CPython's). */
    if (obj_hooked && options.serialno)
        printone(out, "# times object malloc called", deadbyte_get_serialno());
    printone(out, "# arenas allocated total", s.arenas_total);
    printone(out, "# arenas reclaimed", s.arenas_total - s.arenas);
    printone(out, "# arenas highwater mark", s.arenas_highwater);
    printone(out, "# arenas allocated current", s.arenas);
    struct fmt label;
    printone(out,
             count_label(&label, s.arenas, " arenas * ", SMALLOBJ_ARENA_SIZE,
                         " bytes/arena"),
             s.arenas * SMALLOBJ_ARENA_SIZE);
    fmt_char(out, '\n');
    put_bytes(out, &s);
    put_arena_map(out);
    fmt_char(out, '\n');
}

/* ---- DEADBYTE_MALLOCSTATS ------------------------------------------ */

/* The statistics where reports go (the launcher's report directory, the
 * log file or standard error), under a line naming the process. */
static void
print_to_report(bool even_unused)
{
    options_init();
    struct writer w;
    writer_open(&w, RECORD_STATISTICS);
    writer_process(&w, "statistics");
    writer_text_begin(&w);
    put_smallobj(&w.out, even_unused);
    put_hooks(&w.out);
    writer_text_end(&w);
    writer_close(&w);
}

static void
print_to_report_at_new_arena(void)
{
    print_to_report(true);
}

void
stats_init(void)
{
    if (options.mallocstats)
        smallobj_on_new_arena(print_to_report_at_new_arena);
}

void
stats_at_exit(void)
{
    if (options.mallocstats)
        print_to_report(false);
}
