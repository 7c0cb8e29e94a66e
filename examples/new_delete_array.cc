// SPDX-License-Identifier: MIT
/*
 * new_delete_array.cc -- one object made by new released with delete[].
 * Foo has a trivial destructor, so delete[] looks for no array cookie
 * and hands the very pointer that new returned to operator delete[].
 * `deadbyte -- ./new_delete_array` stops it there:
 *
 *   Debug memory block at address p=0x...: API 'n' (operator new)
 *       4 bytes originally requested
 *   ...
 *   deadbyte: API mismatch: a block allocated with operator new was
 *   released with operator delete[]
 *   Fatal error: operator delete[]: bad ID: Allocated using API 'n',
 *   verified using API 'a'
 *
 * and the launcher exits 134 (SIGABRT).
 */
#include <cstdio>

struct Foo {
    int value;
};

// Hides where P came from, so that GCC does not warn about the mismatch
// (-Wmismatched-new-delete) nor elide the allocation.
__attribute__((noipa)) static Foo *
launder(Foo *p)
{
    Foo *volatile v = p;
    return v;
}

int
main()
{
    Foo *foo = launder(new Foo{42});
    std::printf("foo %d\n", foo->value);
    std::fflush(stdout);
    delete[] launder(foo); // BUG: new wants delete
    return 0;
}
