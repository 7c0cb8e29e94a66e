// SPDX-License-Identifier: MIT
/*
 * new_array_free.cc -- an array made by new[] released with free().
 * `deadbyte -- ./new_array_free` stops it at the free():
 *
 *   Debug memory block at address p=0x...: API 'a' (operator new[])
 *       16 bytes originally requested
 *   ...
 *   deadbyte: API mismatch: a block allocated with operator new[] was
 *   released with free
 *   Fatal error: free: bad ID: Allocated using API 'a', verified using
 *   API 'r'
 *
 * and the launcher exits 134 (SIGABRT).
 */
#include <cstdio>
#include <cstdlib>

// Hides where P came from, so that GCC does not warn about the mismatch
// (-Wmismatched-new-delete).
__attribute__((noipa)) static void *
launder(void *p)
{
    void *volatile v = p;
    return v;
}

int
main()
{
    int *v = new int[4];
    for (int i = 0; i < 4; i++)
        v[i] = i * i;
    std::printf("%d %d %d %d\n", v[0], v[1], v[2], v[3]);
    std::fflush(stdout);
    std::free(launder(v)); // BUG: new[] wants delete[]
    return 0;
}
