/* SPDX-License-Identifier: MIT */
/*
 * heap.c -- deadbyte's own heap (heap.h): size classes over aligned spans,
 * per-thread caches of free slots, large blocks mapped alone between
 * PROT_NONE pages, and a radix map from addresses to spans.
 *
 * Locks, always taken in this order: a class's lock, then span_lock (new
 * span memory), large_lock (large mappings and their headers) or
 * map_lock (new leaves of the radix map); cache_lock (the list of thread
 * caches) alone.  No lock is held while calling out of this file.
 *
 * A slot's memory is never written by the heap: free slots are chained
 * through their records (heap_meta.free_trace), so a stray write after a
 * block left the quarantine damages only that block's bytes, never the
 * heap's lists.
 */
#include "config.h"

#include "heap.h"

#include "heap_span.h"
#include "spinlock.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- Size classes ----------------------------------------------------
 * 16 classes 16 bytes apart up to 256, then 4 per doubling up to
 * HEAP_SMALL_MAX: a request wastes at most a quarter of its slot. */
#define TINY_CLASSES 16
#define CLASSES (TINY_CLASSES + 40)

static unsigned
class_of(size_t size)
{
    if (size <= 256)
        return size <= 16 ? 0 : (unsigned)((size + 15) / 16 - 1);
    unsigned b = 63 - (unsigned)__builtin_clzll((unsigned long long)size - 1);
    return TINY_CLASSES + (b - 8) * 4 + (unsigned)((size - 1) >> (b - 2)) - 4;
}

static size_t
class_size(unsigned c)
{
    if (c < TINY_CLASSES)
        return (size_t)(c + 1) * 16;
    unsigned k = c - TINY_CLASSES, b = 8 + k / 4;
    return (size_t)(5 + k % 4) << (b - 2);
}

/* ---- Spans -------------------------------------------------------------- */

#define SPAN_HEADER ((sizeof(struct heap_span) + 63) & ~(size_t)63)

struct heap_class {
    struct spinlock lock;
    struct heap_span *listed; /* spans with free slots */
} __attribute__((aligned(64)));

static struct heap_class classes[CLASSES];
static _Atomic(struct heap_span *) all_spans;

static size_t
page_size(void)
{
    static size_t page;
    if (!page)
        page = (size_t)getpagesize();
    return page;
}

static uintptr_t
round_up(uintptr_t n, uintptr_t to)
{
    return (n + to - 1) & ~(to - 1);
}

/* ---- The radix map: HEAP_SPAN_SIZE granules of 47 bits of address ------ */
/* The radix map's root (heap_span.h); hidden: the library's own. */
_Atomic(map_leaf *) heap_map_root[1u << ROOT_BITS]
    __attribute__((visibility("hidden")));
static struct spinlock map_lock;

/* Point every granule of [START, START+LEN) at SPAN (or NULL).  False if
 * a leaf could not be mapped. */
static bool
map_set(uintptr_t start, size_t len, struct heap_span *span)
{
    for (uintptr_t g = start; g < start + len; g += HEAP_SPAN_SIZE) {
        if (g >> ADDRESS_BITS)
            return false;
        _Atomic(map_leaf *) *slot =
            &heap_map_root[g >> (HEAP_SPAN_BITS + LEAF_BITS)];
        map_leaf *leaf = atomic_load_explicit(slot, memory_order_acquire);
        if (!leaf) {
            spinlock_lock(&map_lock);
            leaf = atomic_load_explicit(slot, memory_order_relaxed);
            if (!leaf) {
                void *m = mmap(NULL, sizeof *leaf, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                               -1, 0);
                if (m != MAP_FAILED) {
                    leaf = m;
                    atomic_store_explicit(slot, leaf, memory_order_release);
                }
            }
            spinlock_unlock(&map_lock);
            if (!leaf)
                return false;
        }
        atomic_store_explicit(
            &(*leaf)[(g >> HEAP_SPAN_BITS) & ((1u << LEAF_BITS) - 1)], span,
            memory_order_release);
    }
    return true;
}

/* LEN bytes (a multiple of the page) aligned to HEAP_SPAN_SIZE, with
 * protection PROT; 0 if mmap failed. */
static uintptr_t
map_aligned(size_t len, int prot)
{
    if (len > SIZE_MAX - HEAP_SPAN_SIZE)
        return 0;
    size_t over = len + HEAP_SPAN_SIZE;
    void *m = mmap(NULL, over, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (m == MAP_FAILED)
        return 0;
    uintptr_t start = round_up((uintptr_t)m, HEAP_SPAN_SIZE);
    if (start > (uintptr_t)m)
        munmap(m, start - (uintptr_t)m);
    uintptr_t end = (uintptr_t)m + over;
    if (end > start + len)
        munmap((void *)(start + len), end - (start + len));
    return start;
}

/* ---- Span memory, taken from chunks of growing size -------------------- */
#define MAX_CHUNKS 1024

static struct spinlock span_lock;
static uintptr_t chunk_next, chunk_end;
static struct {
    uintptr_t start, end;
} chunks[MAX_CHUNKS];
static _Atomic size_t n_chunks;

static uintptr_t
span_memory(void)
{
    spinlock_lock(&span_lock);
    if (chunk_next == chunk_end) {
        size_t n = atomic_load_explicit(&n_chunks, memory_order_relaxed);
        /* 16 MiB, then twice as much each time up to 1 GiB: few
         * regions for the leak scan to leave out. */
        size_t len = (size_t)16 << (n < 6 ? n : 6) << 20;
        uintptr_t m = n < MAX_CHUNKS ? map_aligned(len, PROT_READ | PROT_WRITE)
                                     : 0;
        if (!m && n < MAX_CHUNKS) {
            len = HEAP_SPAN_SIZE; /* short of address space: a span */
            m = map_aligned(len, PROT_READ | PROT_WRITE);
        }
        if (!m) {
            spinlock_unlock(&span_lock);
            return 0;
        }
        chunks[n].start = m;
        chunks[n].end = m + len;
        atomic_store_explicit(&n_chunks, n + 1, memory_order_release);
        chunk_next = m;
        chunk_end = m + len;
    }
    uintptr_t span = chunk_next;
    chunk_next += HEAP_SPAN_SIZE;
    spinlock_unlock(&span_lock);
    return span;
}

/* A new span of class C; the class's lock is held. */
static struct heap_span *
new_span(unsigned c)
{
    uintptr_t m = span_memory();
    if (!m)
        return NULL;
    struct heap_span *s = (struct heap_span *)m;
    size_t size = class_size(c);
    uint32_t n = (uint32_t)((HEAP_SPAN_SIZE - SPAN_HEADER - 64) /
                            (size + sizeof(struct heap_meta)));
    s->meta = (struct heap_meta *)(m + SPAN_HEADER);
    s->slots = round_up(m + SPAN_HEADER + n * sizeof(struct heap_meta), 64);
    s->slot_size = size;
    s->divider = (((uint64_t)1 << DIVIDER_SHIFT) + size - 1) / size;
    s->nslots = n;
    s->nfree = n;
    s->cls = (uint16_t)c;
    if (!map_set(m, HEAP_SPAN_SIZE, s))
        return NULL; /* the memory stays unused; mmap is failing anyway */
    struct heap_span *head = atomic_load_explicit(&all_spans,
                                                  memory_order_relaxed);
    do
        s->next_span = head;
    while (!atomic_compare_exchange_weak_explicit(
        &all_spans, &head, s, memory_order_release, memory_order_relaxed));
    return s;
}

/* Give an empty span's pages back, all but its header's. */
static void
release_span(struct heap_span *s)
{
    uintptr_t from = round_up((uintptr_t)s + SPAN_HEADER, page_size());
    uintptr_t to = (uintptr_t)s + HEAP_SPAN_SIZE;
    /* The records on the header's page are stale, not zero: clear them,
     * so that a slot never handed out always reads HEAP_FREE. */
    memset(s->meta, 0, from - (uintptr_t)s->meta);
    madvise((void *)from, to - from, MADV_DONTNEED);
    s->fresh = 0;
    s->free_head = 0;
    s->released = true;
}

/* Take up to WANT free slots of class C into OUT; how many. */
static size_t
central_take(unsigned c, uintptr_t *out, size_t want)
{
    struct heap_class *k = &classes[c];
    size_t n = 0;
    spinlock_lock(&k->lock);
    while (n < want) {
        struct heap_span *s = k->listed;
        if (!s) {
            s = new_span(c);
            if (!s)
                break;
            s->listed = true;
            k->listed = s;
        }
        s->released = false;
        while (n < want && s->nfree) {
            uint32_t i;
            if (s->free_head) {
                i = s->free_head - 1;
                s->free_head = s->meta[i].free_trace;
            } else {
                i = s->fresh++;
            }
            s->nfree--;
            out[n++] = s->slots + (uintptr_t)i * s->slot_size;
        }
        if (!s->nfree) {
            k->listed = s->next_listed;
            s->listed = false;
        }
    }
    spinlock_unlock(&k->lock);
    return n;
}

/* Give the N free slots at SLOTS, all of class C, back to their spans. */
static void
central_give(unsigned c, const uintptr_t *slots, size_t n)
{
    struct heap_class *k = &classes[c];
    spinlock_lock(&k->lock);
    for (size_t j = 0; j < n; j++) {
        struct heap_span *s = span_of(slots[j]);
        uint32_t i = slot_index(s, slots[j]);
        s->meta[i].free_trace = s->free_head;
        s->free_head = i + 1;
        s->nfree++;
        if (!s->listed) {
            s->next_listed = k->listed;
            k->listed = s;
            s->listed = true;
        }
        /* An empty span goes back to the system, unless it is the
         * class's only one with room: then the next call would fault its
         * pages in again. */
        if (s->nfree == s->nslots && (k->listed != s || s->next_listed))
            release_span(s);
    }
    spinlock_unlock(&k->lock);
}

/* ---- Thread caches -------------------------------------------------------- */
#define CACHE_SLOTS 32
#define CACHE_BATCH 16

struct cache {
    struct cache *next;      /* every cache ever made */
    struct cache *next_free; /* caches of threads that ended */
    bool in_use;
    uint8_t count[CLASSES];
    uintptr_t slots[CLASSES][CACHE_SLOTS];
};

static struct spinlock cache_lock;
static struct cache *all_caches, *free_caches;
static pthread_key_t cache_key;
enum key_state { KEY_NONE, KEY_MAKING, KEY_MADE, KEY_FAILED };
static atomic_int cache_key_state;

enum cache_state { CACHE_NONE, CACHE_MAKING, CACHE_GONE };
static __thread struct cache *my_cache __attribute__((tls_model("initial-exec")));
static __thread unsigned char my_cache_state
    __attribute__((tls_model("initial-exec")));

/* How many free slots of class C a cache fetches or gives back at once,
 * and holds at most (twice that): fewer of the larger classes, whose
 * slots would otherwise sit idle by the megabyte. */
static unsigned
cache_batch(unsigned c)
{
    size_t size = class_size(c);
    return size <= 4096 ? CACHE_BATCH : size <= 32768 ? 4 : 1;
}

static void
cache_flush(struct cache *cache)
{
    for (unsigned c = 0; c < CLASSES; c++) {
        if (cache->count[c])
            central_give(c, cache->slots[c], cache->count[c]);
        cache->count[c] = 0;
    }
}

/* The thread ends (a key destructor): its free slots go back. */
static void
cache_at_thread_exit(void *arg)
{
    struct cache *cache = arg;
    my_cache = NULL;
    my_cache_state = CACHE_GONE; /* later calls go to the spans */
    cache_flush(cache);
    spinlock_lock(&cache_lock);
    cache->in_use = false;
    cache->next_free = free_caches;
    free_caches = cache;
    spinlock_unlock(&cache_lock);
}

/* A pthread key, so that a thread's cache is emptied when it ends; made
 * once, by the first thread that makes a cache. */
static bool
cache_key_ready(void)
{
    int state = KEY_NONE;
    if (atomic_compare_exchange_strong(&cache_key_state, &state, KEY_MAKING)) {
        state = pthread_key_create(&cache_key, cache_at_thread_exit) == 0
                    ? KEY_MADE
                    : KEY_FAILED;
        atomic_store(&cache_key_state, state);
    }
    /* A thread that comes while another makes the key, or after that
     * failed, keeps its cache when it ends: the slots in it are lost,
     * never misused. */
    return state == KEY_MADE;
}

static struct cache *
make_cache(void)
{
    my_cache_state = CACHE_MAKING; /* what this allocates goes around */
    spinlock_lock(&cache_lock);
    struct cache *cache = free_caches;
    if (cache)
        free_caches = cache->next_free;
    spinlock_unlock(&cache_lock);
    if (!cache) {
        void *m = mmap(NULL, sizeof *cache, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            my_cache_state = CACHE_NONE;
            return NULL;
        }
        cache = m;
        spinlock_lock(&cache_lock);
        cache->next = all_caches;
        all_caches = cache;
        spinlock_unlock(&cache_lock);
    }
    cache->in_use = true;
    /* pthread_setspecific may allocate (keys past the first 32): that
     * allocation goes to the spans, as this thread is CACHE_MAKING. */
    if (cache_key_ready())
        (void)pthread_setspecific(cache_key, cache);
    my_cache = cache;
    my_cache_state = CACHE_NONE;
    return cache;
}

static inline struct cache *
cache_get(void)
{
    struct cache *cache = my_cache;
    if (__builtin_expect(cache != NULL, 1))
        return cache;
    if (my_cache_state != CACHE_NONE)
        return NULL;
    return make_cache();
}

/* ---- Large blocks ------------------------------------------------------- */
static struct spinlock large_lock;
static struct heap_span *large_in_use, *large_free_headers;
static size_t large_mapped;

/* Pages of large blocks' headers, listed for the leak scan to leave out:
 * each starts with this link, then headers. */
#define HEADER_PAGES 16
struct header_page {
    struct header_page *next;
};
static struct header_page *header_pages;

/* A header for a large mapping: from the free list, or from a new page
 * of them (never unmapped: a stale pointer may still lead to one). */
static struct heap_span *
large_header(void)
{
    if (!large_free_headers) {
        size_t bytes = HEADER_PAGES * page_size();
        void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return NULL;
        struct header_page *page = m;
        page->next = header_pages;
        header_pages = page;
        struct heap_span *h = (struct heap_span *)((uintptr_t)m + 64);
        for (size_t i = 0; i < (bytes - 64) / sizeof *h; i++) {
            h[i].next_large = large_free_headers;
            large_free_headers = &h[i];
        }
    }
    struct heap_span *h = large_free_headers;
    large_free_headers = h->next_large;
    return h;
}

/* Map DATA bytes (a multiple of the page) between PROT_NONE pages, the
 * whole a multiple of HEAP_SPAN_SIZE so that no other mapping shares its
 * granules; the start of the data, or 0. */
static uintptr_t
map_large(size_t data, size_t *map_len)
{
    size_t page = page_size();
    if (data > SIZE_MAX - 2 * page - HEAP_SPAN_SIZE)
        return 0;
    size_t len = round_up(data + 2 * page, HEAP_SPAN_SIZE);
    uintptr_t m = map_aligned(len, PROT_NONE);
    if (!m)
        return 0;
    if (mprotect((void *)(m + page), data, PROT_READ | PROT_WRITE) != 0) {
        munmap((void *)m, len);
        return 0;
    }
    *map_len = len;
    return m + page;
}

/* Put H on the list of large mappings in use, and take it off: in O(1),
 * since with --guard-pages=all thousands are (a walk of the list on
 * each free took two thirds of sqlite3's time). */
static void
link_large(struct heap_span *h)
{
    h->prev_large = NULL;
    h->next_large = large_in_use;
    if (large_in_use)
        large_in_use->prev_large = h;
    large_in_use = h;
}

static void
unlink_large(struct heap_span *h)
{
    if (h->prev_large)
        h->prev_large->next_large = h->next_large;
    else
        large_in_use = h->next_large;
    if (h->next_large)
        h->next_large->prev_large = h->prev_large;
    h->next_large = h->prev_large = NULL;
}

static void *
large_alloc(size_t size, size_t align)
{
    size_t page = page_size();
    size_t extra = align > page ? align - page : 0;
    if (size > SIZE_MAX - extra - page)
        goto no_memory;
    size_t data = round_up(size + extra, page);
    size_t len;
    uintptr_t at = map_large(data, &len);
    if (!at)
        goto no_memory;
    spinlock_lock(&large_lock);
    struct heap_span *h = large_header();
    if (h) {
        memset(h, 0, sizeof *h);
        h->slots = at;
        h->slot_size = data;
        h->nslots = 1;
        h->cls = LARGE_CLASS;
        h->meta = &h->large_meta;
        h->map_start = at - page;
        h->map_len = len;
        if (map_set(h->map_start, len, h)) {
            link_large(h);
            large_mapped += len;
        } else {
            map_set(h->map_start, len, NULL);
            h->next_large = large_free_headers;
            large_free_headers = h;
            h = NULL;
        }
    }
    spinlock_unlock(&large_lock);
    if (!h) {
        munmap((void *)(at - page), len);
        goto no_memory;
    }
    return (void *)round_up(at, align);
no_memory:
    errno = ENOMEM;
    return NULL;
}

static void
large_free(struct heap_span *h)
{
    spinlock_lock(&large_lock);
    map_set(h->map_start, h->map_len, NULL);
    unlink_large(h);
    large_mapped -= h->map_len;
    munmap((void *)h->map_start, h->map_len);
    h->cls = 0;
    h->next_large = large_free_headers;
    large_free_headers = h;
    spinlock_unlock(&large_lock);
}

/*
 * Resize the large block at PTR (its base, the start of its data) to
 * SIZE bytes, a large size: its pages are moved by the kernel (mremap)
 * into a new mapping, never copied, so that a huge block grows without
 * touching its memory.  NULL if that failed.
 */
static void *
large_resize(struct heap_span *h, size_t size)
{
    size_t page = page_size();
    if (size > SIZE_MAX - 2 * page - HEAP_SPAN_SIZE)
        return NULL;
    size_t data = round_up(size, page);
    size_t len = round_up(data + 2 * page, HEAP_SPAN_SIZE);
    uintptr_t m = map_aligned(len, PROT_NONE);
    if (!m)
        return NULL;
    void *moved = mremap((void *)h->slots, h->slot_size, data,
                         MREMAP_MAYMOVE | MREMAP_FIXED, (void *)(m + page));
    if (moved == MAP_FAILED) {
        munmap((void *)m, len);
        return NULL;
    }
    spinlock_lock(&large_lock);
    map_set(h->map_start, h->map_len, NULL);
    /* Its guard pages and the rest of its granules; not the pages the
     * data left, where another thread's mmap may be already. */
    munmap((void *)h->map_start, h->slots - h->map_start);
    uintptr_t data_end = h->slots + h->slot_size;
    munmap((void *)data_end, h->map_start + h->map_len - data_end);
    large_mapped += len - h->map_len;
    h->slots = m + page;
    h->slot_size = data;
    h->map_start = m;
    h->map_len = len;
    map_set(m, len, h); /* a leaf it cannot map: addresses not named */
    spinlock_unlock(&large_lock);
    return moved;
}

/* ---- The allocator ------------------------------------------------------- */

static bool keep(struct heap_span *h);

void *
heap_malloc(void *ctx, size_t size)
{
    (void)ctx;
    if (size > HEAP_SMALL_MAX)
        return large_alloc(size, 16);
    unsigned c = class_of(size);
    struct cache *cache = cache_get();
    if (__builtin_expect(cache != NULL, 1)) {
        if (cache->count[c] == 0) {
            cache->count[c] =
                (uint8_t)central_take(c, cache->slots[c], cache_batch(c));
            if (cache->count[c] == 0) {
                errno = ENOMEM;
                return NULL;
            }
        }
        return (void *)cache->slots[c][--cache->count[c]];
    }
    uintptr_t slot;
    if (!central_take(c, &slot, 1)) {
        errno = ENOMEM;
        return NULL;
    }
    return (void *)slot;
}

void *
heap_calloc(void *ctx, size_t nelem, size_t elsize)
{
    if (elsize != 0 && nelem > SIZE_MAX / elsize) {
        errno = ENOMEM;
        return NULL;
    }
    size_t size = nelem * elsize;
    void *p = heap_malloc(ctx, size);
    if (p && size <= HEAP_SMALL_MAX)
        memset(p, 0, size); /* a slot may have been used; a mapping is 0 */
    return p;
}

void
heap_free(void *ctx, void *ptr)
{
    (void)ctx;
    struct heap_span *s = span_of((uintptr_t)ptr);
    if (!s)
        return; /* not the heap's: the hooks never pass one */
    if (s->cls == LARGE_CLASS) {
        if (!keep(s))
            large_free(s);
        return;
    }
    uintptr_t slot = s->slots + (uintptr_t)slot_index(s, (uintptr_t)ptr) *
                                    s->slot_size;
    unsigned c = s->cls;
    struct cache *cache = cache_get();
    if (__builtin_expect(cache != NULL, 1)) {
        unsigned batch = cache_batch(c);
        if (cache->count[c] == 2 * batch) {
            central_give(c, cache->slots[c] + batch, batch);
            cache->count[c] -= batch;
        }
        cache->slots[c][cache->count[c]++] = slot;
        return;
    }
    central_give(c, &slot, 1);
}

void *
heap_realloc(void *ctx, void *ptr, size_t size)
{
    if (!ptr)
        return heap_malloc(ctx, size);
    struct heap_span *s = span_of((uintptr_t)ptr);
    if (!s) {
        errno = ENOMEM;
        return NULL;
    }
    size_t room = s->slot_size;
    if (s->cls == LARGE_CLASS) {
        room -= (uintptr_t)ptr - s->slots;
        /* Fits, and not so much smaller that pages would go to waste. */
        if (size <= room && size > room / 2)
            return ptr;
        if (size > HEAP_SMALL_MAX && (uintptr_t)ptr == s->slots) {
            void *moved = large_resize(s, size);
            if (moved)
                return moved;
        }
    } else {
        uintptr_t slot = s->slots + (uintptr_t)slot_index(s, (uintptr_t)ptr) *
                                        s->slot_size;
        room -= (uintptr_t)ptr - slot;
        if (size <= room && class_of(size) == s->cls)
            return ptr;
    }
    void *q = heap_malloc(ctx, size);
    if (!q)
        return NULL;
    memcpy(q, ptr, size < room ? size : room);
    heap_free(ctx, ptr);
    return q;
}

void *
heap_memalign(size_t align, size_t size)
{
    if (align <= 16)
        return heap_malloc(NULL, size);
    /* Slots are 16-byte aligned: ALIGN - 16 more bytes leave room to
     * round up to ALIGN within the slot. */
    if (align <= HEAP_SMALL_MAX && size <= HEAP_SMALL_MAX - (align - 16)) {
        void *p = heap_malloc(NULL, size + align - 16);
        return p ? (void *)round_up((uintptr_t)p, align) : NULL;
    }
    return large_alloc(size, align);
}

/*
 * Mappings of blocks with guard pages (heap_pages), kept when they are
 * freed, by their number of pages: --guard-pages=all makes and frees
 * one per block, and a kept one costs one mprotect where a new one costs
 * an mmap, two munmaps to align it and an mprotect.  A kept mapping's
 * pages are PROT_NONE and given back to the system (MADV_DONTNEED: they
 * read as zero when next used); it stays in the radix map, as a slot
 * with no block.  Under large_lock.
 */
#define KEPT_PAGES 8   /* mappings of 1 to KEPT_PAGES pages of data */
#define KEPT_EACH 64   /* kept at most, for each number of pages */
static struct heap_span *kept[KEPT_PAGES];
static unsigned n_kept[KEPT_PAGES];

/* A kept mapping of LEN bytes of data, made accessible; or NULL. */
static void *
take_kept(size_t len)
{
    size_t i = len / page_size() - 1;
    if (i >= KEPT_PAGES)
        return NULL;
    spinlock_lock(&large_lock);
    struct heap_span *h = kept[i];
    if (h) {
        kept[i] = h->next_large;
        n_kept[i]--;
        link_large(h);
    }
    spinlock_unlock(&large_lock);
    if (!h)
        return NULL;
    if (mprotect((void *)h->slots, h->slot_size, PROT_READ | PROT_WRITE) !=
        0) {
        large_free(h);
        return NULL;
    }
    return (void *)h->slots;
}

/* Keep the freed mapping H for reuse: true if it was. */
static bool
keep(struct heap_span *h)
{
    size_t i = h->slot_size / page_size() - 1;
    if (!h->pages || i >= KEPT_PAGES ||
        __atomic_load_n(&n_kept[i], __ATOMIC_RELAXED) >= KEPT_EACH)
        return false;
    /* Both calls only drop what the kernel gives back on its own: a
     * failure leaves the mapping as it was, to be unmapped. */
    if (mprotect((void *)h->slots, h->slot_size, PROT_NONE) != 0 ||
        madvise((void *)h->slots, h->slot_size, MADV_DONTNEED) != 0)
        return false;
    spinlock_lock(&large_lock);
    bool kept_it = n_kept[i] < KEPT_EACH;
    if (kept_it) {
        unlink_large(h);
        h->next_large = kept[i];
        kept[i] = h;
        n_kept[i]++;
    }
    spinlock_unlock(&large_lock);
    return kept_it;
}

void *
heap_pages(size_t bytes, size_t *len)
{
    *len = round_up(bytes ? bytes : 1, page_size());
    void *p = take_kept(*len);
    if (p)
        return p;
    p = large_alloc(bytes, 16);
    if (p)
        ((struct heap_span *)span_of((uintptr_t)p))->pages = true;
    return p;
}

bool
heap_pages_protect(void *base, bool accessible)
{
    struct heap_span *s = span_of((uintptr_t)base);
    if (!s || s->cls != LARGE_CLASS || s->slots != (uintptr_t)base)
        return false;
    return mprotect(base, s->slot_size,
                    accessible ? PROT_READ | PROT_WRITE : PROT_NONE) == 0;
}

bool
heap_owns(uintptr_t addr)
{
    return span_of(addr) != NULL;
}

bool
heap_slot_of(uintptr_t addr, struct heap_slot *out)
{
    return heap_span_slot_of(addr, out);
}

static bool
used(const struct heap_meta *meta)
{
    return __atomic_load_n(&meta->state, __ATOMIC_ACQUIRE) != HEAP_FREE;
}

void
heap_for_each_used(void (*fn)(const struct heap_slot *, void *), void *arg)
{
    for (struct heap_span *s =
             atomic_load_explicit(&all_spans, memory_order_acquire);
         s; s = s->next_span) {
        uint32_t fresh = __atomic_load_n(&s->fresh, __ATOMIC_RELAXED);
        for (uint32_t i = 0; i < fresh && i < s->nslots; i++)
            if (used(&s->meta[i])) {
                struct heap_slot slot = {
                    s->slots + (uintptr_t)i * s->slot_size, s->slot_size,
                    &s->meta[i], NULL};
                fn(&slot, arg);
            }
    }
    /* Large blocks with their lock held: one freed meanwhile would be
     * unmapped under FN's reads. */
    spinlock_lock(&large_lock);
    for (struct heap_span *h = large_in_use; h; h = h->next_large)
        if (used(&h->large_meta)) {
            struct heap_slot slot = {h->slots, h->slot_size, &h->large_meta,
                                     &h->large_size};
            fn(&slot, arg);
        }
    spinlock_unlock(&large_lock);
}

void
heap_for_each_region(void (*fn)(uintptr_t, uintptr_t, void *), void *arg)
{
    size_t n = atomic_load_explicit(&n_chunks, memory_order_acquire);
    uintptr_t start = 0, end = 0;
    for (size_t i = 0; i < n; i++) {
        if (chunks[i].start == end) {
            end = chunks[i].end;
            continue;
        }
        if (end)
            fn(start, end, arg);
        start = chunks[i].start;
        end = chunks[i].end;
    }
    if (end)
        fn(start, end, arg);
    /* The heap's own tables: the leaves of the map, the threads' caches
     * (which hold free slots' addresses) and the large blocks' headers. */
    for (size_t i = 0; i < (1u << ROOT_BITS); i++) {
        map_leaf *leaf =
            atomic_load_explicit(&heap_map_root[i], memory_order_acquire);
        if (leaf)
            fn((uintptr_t)leaf, (uintptr_t)(leaf + 1), arg);
    }
    spinlock_lock(&cache_lock);
    for (struct cache *cache = all_caches; cache; cache = cache->next)
        fn((uintptr_t)cache, (uintptr_t)(cache + 1), arg);
    spinlock_unlock(&cache_lock);
    spinlock_lock(&large_lock);
    for (struct header_page *p = header_pages; p; p = p->next)
        fn((uintptr_t)p, (uintptr_t)p + HEADER_PAGES * page_size(), arg);
    spinlock_unlock(&large_lock);
}

bool
heap_trim(void)
{
    bool any = false;
    for (unsigned c = 0; c < CLASSES; c++) {
        struct heap_class *k = &classes[c];
        spinlock_lock(&k->lock);
        for (struct heap_span *s = k->listed; s; s = s->next_listed)
            if (s->nfree == s->nslots && !s->released) {
                release_span(s);
                any = true;
            }
        spinlock_unlock(&k->lock);
    }
    return any;
}

void
heap_get_counts(struct heap_counts *out)
{
    memset(out, 0, sizeof *out);
    size_t n = atomic_load_explicit(&n_chunks, memory_order_acquire);
    for (size_t i = 0; i < n; i++)
        out->mapped += chunks[i].end - chunks[i].start;
    for (struct heap_span *s =
             atomic_load_explicit(&all_spans, memory_order_acquire);
         s; s = s->next_span) {
        out->spans++;
        out->in_use += (size_t)(s->nslots -
                                __atomic_load_n(&s->nfree, __ATOMIC_RELAXED)) *
                       s->slot_size;
    }
    spinlock_lock(&large_lock);
    out->mapped += large_mapped;
    out->large_mapped = large_mapped;
    for (struct heap_span *h = large_in_use; h; h = h->next_large) {
        out->large++;
        out->large_in_use += h->slot_size;
    }
    out->in_use += out->large_in_use;
    spinlock_unlock(&large_lock);
}

/* ---- Fork ------------------------------------------------------------------ */

void
heap_lock_all(void)
{
    spinlock_lock(&cache_lock);
    for (unsigned c = 0; c < CLASSES; c++)
        spinlock_lock(&classes[c].lock);
    spinlock_lock(&span_lock);
    spinlock_lock(&large_lock);
    spinlock_lock(&map_lock);
}

void
heap_unlock_all(void)
{
    spinlock_unlock(&map_lock);
    spinlock_unlock(&large_lock);
    spinlock_unlock(&span_lock);
    for (unsigned c = CLASSES; c-- > 0;)
        spinlock_unlock(&classes[c].lock);
    spinlock_unlock(&cache_lock);
}

void
heap_unlock_all_in_child(void)
{
    heap_unlock_all();
    /* Only this thread came along: the caches of the others are nobody's
     * now.  Their slots go back to the spans, the caches to the free
     * list. */
    spinlock_lock(&cache_lock);
    struct cache *orphans = NULL;
    for (struct cache *cache = all_caches; cache; cache = cache->next)
        if (cache->in_use && cache != my_cache) {
            cache->in_use = false;
            cache->next_free = orphans;
            orphans = cache;
        }
    spinlock_unlock(&cache_lock);
    while (orphans) {
        struct cache *cache = orphans;
        orphans = cache->next_free;
        cache_flush(cache);
        spinlock_lock(&cache_lock);
        cache->next_free = free_caches;
        free_caches = cache;
        spinlock_unlock(&cache_lock);
    }
}

bool
heap_locks_free(void)
{
    if (!spinlock_free_soon(&cache_lock) || !spinlock_free_soon(&span_lock) ||
        !spinlock_free_soon(&large_lock) || !spinlock_free_soon(&map_lock))
        return false;
    for (unsigned c = 0; c < CLASSES; c++)
        if (!spinlock_free_soon(&classes[c].lock))
            return false;
    return true;
}

/* ---- Guard pages ---------------------------------------------------------- */

bool
heap_large_guard_of(uintptr_t addr, struct heap_slot *out)
{
    struct heap_span *s = span_of(addr);
    if (!s || s->cls != LARGE_CLASS)
        return false;
    /* Each field read once: a resize of this block in another thread
     * (under large_lock) may change them, and the fault is then a race
     * of the program's with its own realloc. */
    uintptr_t data = __atomic_load_n(&s->slots, __ATOMIC_RELAXED);
    size_t data_len = __atomic_load_n(&s->slot_size, __ATOMIC_RELAXED);
    uintptr_t map = __atomic_load_n(&s->map_start, __ATOMIC_RELAXED);
    size_t map_len = __atomic_load_n(&s->map_len, __ATOMIC_RELAXED);
    if (addr < map || addr - map >= map_len ||
        (addr >= data && addr - data < data_len))
        return false;
    *out = (struct heap_slot){data, data_len, &s->large_meta, &s->large_size};
    return true;
}
