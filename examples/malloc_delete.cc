// SPDX-License-Identifier: MIT
/*
 * malloc_delete.cc -- an int from malloc() released with delete.  The
 * size is right (GCC calls the sized operator delete with 4, the size
 * malloc was given): only the API is wrong.  `deadbyte -- ./malloc_delete`
 * stops it in operator delete:
 *
 *   Debug memory block at address p=0x...: API 'r' (malloc)
 *       4 bytes originally requested
 *   ...
 *   deadbyte: API mismatch: a block allocated with malloc was released
 *   with operator delete
 *   Fatal error: operator delete: bad ID: Allocated using API 'r',
 *   verified using API 'n'
 *
 * and the launcher exits 134 (SIGABRT).
 */
#include <cstdio>
#include <cstdlib>

// Hides where P came from, so that GCC does not warn about the mismatch
// (-Wmismatched-dealloc, -Wmismatched-new-delete).
__attribute__((noipa)) static int *
launder(int *p)
{
    int *volatile v = p;
    return v;
}

int
main()
{
    int *count = launder(static_cast<int *>(std::malloc(sizeof(int))));
    if (!count)
        return 1;
    *count = 42;
    std::printf("count %d\n", *count);
    std::fflush(stdout);
    delete launder(count); // BUG: malloc wants free
    return 0;
}
