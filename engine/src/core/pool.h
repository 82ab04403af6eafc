#pragma once

// Small blocks the machine makes and frees in bursts: coroutine frames, and the records a
// coroutine handler needs per effect it handles (the handling state, its continuation, the
// program it starts). Kept in per-thread free lists by size, so that a burst deeper than malloc's
// own per-thread cache (seven blocks a size) stays out of malloc.

#include <cstddef>
#include <memory>
#include <utility>

namespace doeff::detail {

/// `size` bytes from this thread's free list for its size class, or from malloc. Throws
/// std::bad_alloc when there is no room.
void* poolAllocate(std::size_t size);
/// Gives back a block poolAllocate(size) made, on any thread: it goes to this thread's free
/// list for the size, or to free() when that list is full.
void poolFree(void* p, std::size_t size) noexcept;

/// An allocator for std::allocate_shared (makePooledShared, below).
template<class T> struct PoolAllocator {
    using value_type = T;
    PoolAllocator() noexcept = default;
    template<class U> PoolAllocator(const PoolAllocator<U>&) noexcept { }
    T* allocate(std::size_t n) { return static_cast<T*>(poolAllocate(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { poolFree(p, n * sizeof(T)); }
    template<class U> bool operator==(const PoolAllocator<U>&) const noexcept { return true; }
};

/// std::make_shared, from the pool.
template<class T, class... Args> std::shared_ptr<T> makePooledShared(Args&&... args)
{
    return std::allocate_shared<T>(PoolAllocator<T>(), std::forward<Args>(args)...);
}

/// A base that gives a class the pool's operator new and delete (for std::make_unique).
struct Pooled {
    static void* operator new(std::size_t size) { return poolAllocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept { poolFree(p, size); }
};

} // namespace doeff::detail
