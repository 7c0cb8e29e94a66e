// SPDX-License-Identifier: MIT
/*
 * cxx_names.cc -- a member function of a class template in a namespace,
 * store::Buffer<char>::fill(char), writes one byte past the end of its
 * block with memset().  The launcher names it as C++ does, demangled and
 * qualified, not just "fill":
 *
 *   Bad write by memset at (most recent call first):
 *     #0 ... in store::Buffer<char>::fill(char) examples/cxx_names.cc:LINE
 *     #1 ... in main examples/cxx_names.cc:LINE
 *   ...
 *   Fatal error: memset: write past the end of a block
 *
 * and exits 134 (SIGABRT).
 */
#include <cstddef>
#include <cstdio>
#include <cstring>

namespace store {

template <typename T> class Buffer {
  public:
    explicit Buffer(std::size_t size) : size_(size), data_(new T[size]) {}
    ~Buffer() { delete[] data_; }
    Buffer(const Buffer &) = delete;
    Buffer &operator=(const Buffer &) = delete;

    // Out of line, so that the traceback has a frame of its own; the
    // empty asm after the call keeps it from being a tail call.
    __attribute__((noinline)) void fill(T value)
    {
        std::memset(data_, value, size_ + 1); // BUG: one byte too many
        __asm__ volatile("" ::: "memory");
    }

    std::size_t size() const { return size_; }
    const T *data() const { return data_; }

  private:
    std::size_t size_;
    T *data_;
};

} // namespace store

int
main()
{
    volatile std::size_t size = 16;
    store::Buffer<char> buffer(size);
    buffer.fill('x');
    std::printf("%zu bytes filled\n", buffer.size());
    return 0;
}
