// SPDX-License-Identifier: MIT
/*
 * sized_delete.cc -- a 16-byte block from ::operator new(16) released
 * with the sized ::operator delete(p, 24): the size passed to a sized
 * deallocation function must be the one that was allocated.  (The calls
 * are explicit here; a delete of a pointer whose static type lies about
 * the object, e.g. without a virtual destructor, passes a wrong size the
 * same way.)  `deadbyte -- ./sized_delete` stops it in operator delete:
 *
 *   Debug memory block at address p=0x...: API 'n' (operator new)
 *       16 bytes originally requested
 *   ...
 *   deadbyte: sized delete mismatch: operator delete was told the block
 *   holds 24 bytes, but 16 were requested from operator new
 *   Fatal error: operator delete: bad size for sized delete: 16 bytes
 *   allocated, 24 passed
 *
 * and the launcher exits 134 (SIGABRT).  Needs sized deallocation: the
 * default of GCC from C++14 on; clang before 19 wants
 * -fsized-deallocation, which configure adds when the compiler needs it.
 */
#include <cstdio>
#include <cstring>
#include <new>

#ifndef __cpp_sized_deallocation
#error "sized deallocation is off: compile with -fsized-deallocation"
#endif

// Hides where P came from, so that GCC neither warns nor elides the
// allocation.
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main()
{
    volatile std::size_t wrong = 24;
    void *p = launder(::operator new(16));
    std::memset(p, 0, 16);
    std::puts("releasing 16 bytes as 24");
    std::fflush(stdout);
    ::operator delete(launder(p), wrong); // BUG: it was 16 bytes
    return 0;
}
