#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace nym {

// Asks the kernel to back [data, data + bytes) with transparent huge pages where the system grants them on
// request (Linux "madvise" mode). For arrays of hundreds of MB this cuts page-fault time several-fold; it changes
// nothing else. Small ranges and other systems are left alone.
void adviseHugePages(void *data, std::size_t bytes);

// An allocator for large arrays that are filled right after allocation: resize() leaves elements
// default-initialised (no zero-fill pass), so the threads that fill the array also take its page faults, in
// parallel; and allocations are advised to use huge pages.
template<class T> class LargeAllocator : public std::allocator<T>
{
public:
    using value_type = T;
    template<class U> struct rebind
    {
        using other = LargeAllocator<U>;
    };
    LargeAllocator() = default;
    template<class U> LargeAllocator(const LargeAllocator<U> &) noexcept { }
    T *allocate(std::size_t n)
    {
        T *p = std::allocator<T>::allocate(n);
        adviseHugePages(p, n * sizeof(T));
        return p;
    }
    template<class U> void construct(U *p) noexcept { ::new (static_cast<void *>(p)) U; }
    template<class U, class... Args> void construct(U *p, Args &&...args)
    {
        ::new (static_cast<void *>(p)) U(std::forward<Args>(args)...);
    }
};

template<class A, class B> bool operator==(const LargeAllocator<A> &, const LargeAllocator<B> &) noexcept
{
    return true;
}

// A vector for matrix-sized arrays: resize(n) does not zero the new elements (write them before reading).
template<class T> using LargeVector = std::vector<T, LargeAllocator<T>>;

}   // namespace nym
