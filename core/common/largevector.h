#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace nym {

// An allocator for large arrays that are filled right after allocation: resize() leaves elements
// default-initialised (no zero-fill pass), so the threads that fill the array also take its page faults, in
// parallel. Deliberately no MADV_HUGEPAGE: with the kernel's default "defrag=madvise", huge-page faults compact
// memory synchronously and after other programs freed memory (the usual case on a desktop) loading a 100,000-cell
// file took 20-40% longer than with normal pages (tests/bench/bench_load.py, alternating runs).
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
