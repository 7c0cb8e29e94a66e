// SPDX-License-Identifier: MIT
/*
 * clean_cxx.cc -- every form of operator new and delete used correctly,
 * in a plain C++17 program: plain, array, nothrow, sized (delete of a
 * complete type, delete[] of an array with a cookie), aligned
 * (alignas(64)), aligned array, aligned nothrow, the standard containers
 * and shared_ptr, and allocations too big to succeed: new must throw
 * std::bad_alloc and new (std::nothrow) must return nullptr.
 * `deadbyte -- ./clean_cxx` says nothing: it prints the same lines as
 * the program alone and exits 0.
 */
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

// Hides where P came from, so that GCC cannot elide an allocation whose
// only point is to be made and released.
template <typename T>
__attribute__((noipa)) static T *
launder(T *p)
{
    T *volatile v = p;
    return v;
}

static int failures = 0;

static void
expect(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "clean_cxx: %s\n", what);
        failures++;
    }
}

static bool
aligned(const void *p, std::size_t alignment)
{
    return reinterpret_cast<std::uintptr_t>(p) % alignment == 0;
}

struct Point {
    long x, y;
};

// A non-trivial destructor: new[] stores an array cookie, and delete[]
// calls the sized operator delete[].
struct Named {
    std::string name;
    Named() : name("named object with a long enough name") {}
    ~Named() { name.clear(); }
};

struct alignas(64) Line {
    unsigned char bytes[100];
};

struct alignas(64) Tracked {
    int id;
    Tracked() : id(7) {}
    ~Tracked() { id = -1; }
};

static void
plain_forms()
{
    Point *p = launder(new Point{3, 4}); // operator new / sized delete
    expect(p->x + p->y == 7, "new Point");
    delete p;

    int *v = launder(new int[100]); // operator new[] / delete[]
    for (int i = 0; i < 100; i++)
        v[i] = i;
    expect(v[99] == 99, "new int[]");
    delete[] v;

    Named *names = launder(new Named[3]); // sized delete[] (cookie)
    expect(names[2].name.size() > 20, "new Named[]");
    delete[] names;

    Point *q = launder(new (std::nothrow) Point{1, 2}); // nothrow
    expect(q && q->y == 2, "new (nothrow) Point");
    delete q;

    char *c = launder(new (std::nothrow) char[64]); // nothrow array
    expect(c != nullptr, "new (nothrow) char[]");
    delete[] c;

    void *raw = launder(::operator new(40)); // explicit calls
#ifdef __cpp_sized_deallocation // clang before 19: -fsized-deallocation
    ::operator delete(raw, 40);
#else
    ::operator delete(raw);
#endif
    raw = launder(::operator new[](24));
    ::operator delete[](raw);
    raw = launder(::operator new(16, std::nothrow));
    ::operator delete(raw, std::nothrow);
    std::puts("plain forms ok");
}

static void
aligned_forms()
{
    Line *l = launder(new Line); // operator new(size, align)
    expect(aligned(l, 64), "new Line alignment");
    l->bytes[99] = 1;
    delete l; // sized aligned delete

    Line *ls = launder(new Line[5]); // operator new[](size, align)
    expect(aligned(ls, 64), "new Line[] alignment");
    ls[4].bytes[99] = 2;
    delete[] ls;

    Tracked *ts = launder(new Tracked[3]); // aligned, with a cookie
    expect(aligned(ts, 64) && ts[2].id == 7, "new Tracked[]");
    delete[] ts; // sized aligned delete[]

    Line *n = launder(new (std::nothrow) Line); // aligned nothrow
    expect(n && aligned(n, 64), "new (nothrow) Line");
    delete n;

    Line *na = launder(new (std::nothrow) Line[2]); // aligned nothrow []
    expect(na && aligned(na, 64), "new (nothrow) Line[]");
    delete[] na;

    std::align_val_t big{4096};
    void *raw = launder(::operator new(100, big));
    expect(aligned(raw, 4096), "operator new(100, 4096)");
#ifdef __cpp_sized_deallocation
    ::operator delete(raw, 100, big);
#else
    ::operator delete(raw, big);
#endif

    // The release forms no expression above calls, called explicitly.
    std::align_val_t a64{64};
    raw = launder(::operator new(32));
    ::operator delete(raw);
    raw = launder(::operator new[](32, std::nothrow));
    ::operator delete[](raw, std::nothrow);
    raw = launder(::operator new(32, a64));
    ::operator delete(raw, a64);
    raw = launder(::operator new(32, a64, std::nothrow));
    ::operator delete(raw, a64, std::nothrow);
    raw = launder(::operator new[](32, a64, std::nothrow));
    ::operator delete[](raw, a64, std::nothrow);
    std::puts("aligned forms ok");
}

static void
containers()
{
    std::string s;
    for (int i = 0; i < 1000; i++)
        s += std::to_string(i % 10);

    std::vector<std::string> words;
    for (int i = 0; i < 2000; i++)
        words.push_back("word" + std::to_string(i * 7919 % 2000));

    std::map<std::string, int> counts;
    for (const auto &w : words)
        counts[w.substr(0, 5)]++;

    std::unordered_map<int, std::vector<int>> buckets;
    for (int i = 0; i < 5000; i++)
        buckets[i % 97].push_back(i);

    auto shared = std::make_shared<std::vector<Point>>(100, Point{1, 1});
    std::shared_ptr<std::vector<Point>> copy = shared;
    std::shared_ptr<Point> single(new Point{5, 6});
    std::unique_ptr<int[]> many(new int[10]());

    std::printf("containers: %zu %zu %zu %zu %ld %ld %d\n", s.size(),
                words.size(), counts.size(), buckets[3].size(),
                static_cast<long>(copy.use_count()), single->y, many[9]);
}

// new must throw std::bad_alloc for a size no allocator can give, and
// new (std::nothrow) must return nullptr.
static void
too_big()
{
    volatile std::size_t huge = std::size_t(1) << 62;
    // Valgrind cannot throw from its operator new and aborts instead.
    const char *preload = std::getenv("LD_PRELOAD");
    if (preload && std::strstr(preload, "vgpreload")) {
        std::puts("bad_alloc not tried under valgrind");
    } else {
        try {
            char *p = launder(new char[huge]);
            p[0] = 1;
            delete[] p;
            std::puts("bad_alloc NOT thrown");
        } catch (const std::bad_alloc &) {
            std::puts("bad_alloc caught");
        }
    }
    char *q = launder(new (std::nothrow) char[huge]);
    std::puts(q == nullptr ? "nothrow null" : "nothrow NOT null");
    delete[] q;
}

int
main()
{
    plain_forms();
    aligned_forms();
    containers();
    too_big();
    return failures == 0 ? 0 : 1;
}
