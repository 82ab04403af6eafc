#pragma once

// A stack whose first N elements live in the object that holds it: a task's K (its first two
// frames in the task's record), where most stacks never grow past them.

#include "pool.h"

#include <QtGlobal>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <new>
#include <utility>

namespace doeff::detail {

/// A vector's interface, for the operations a stack needs, with room for N elements in place; a
/// deeper stack moves to the pool (poolAllocate), and grows there by doubling. It points at its
/// elements wherever they are, so reading one costs one load, as a vector's does; so it never
/// moves (nor does what holds it). Iterators are pointers, invalidated as a vector's are.
template<class T, std::uint32_t N> class InlineStack {
public:
    using value_type = T;
    using iterator = T*;
    using const_iterator = const T*;
    using reverse_iterator = std::reverse_iterator<T*>;
    using const_reverse_iterator = std::reverse_iterator<const T*>;

    InlineStack() noexcept
        : m_data(inlineData())
    { }
    InlineStack(const InlineStack&) = delete;
    InlineStack& operator=(const InlineStack&) = delete;
    ~InlineStack() { release(); }

    bool empty() const noexcept { return m_size == 0; }
    std::size_t size() const noexcept { return m_size; }
    std::size_t capacity() const noexcept { return m_capacity; }
    /// The elements are in place, not in the pool.
    bool isInline() const noexcept { return m_data == inlineData(); }
    T* data() noexcept { return m_data; }
    const T* data() const noexcept { return m_data; }
    T& operator[](std::size_t i) noexcept { return m_data[i]; }
    const T& operator[](std::size_t i) const noexcept { return m_data[i]; }
    T& front() noexcept { return m_data[0]; }
    const T& front() const noexcept { return m_data[0]; }
    T& back() noexcept { return m_data[m_size - 1]; }
    const T& back() const noexcept { return m_data[m_size - 1]; }
    T* begin() noexcept { return m_data; }
    T* end() noexcept { return m_data + m_size; }
    const T* begin() const noexcept { return m_data; }
    const T* end() const noexcept { return m_data + m_size; }
    const T* cbegin() const noexcept { return begin(); }
    const T* cend() const noexcept { return end(); }
    reverse_iterator rbegin() noexcept { return reverse_iterator(end()); }
    reverse_iterator rend() noexcept { return reverse_iterator(begin()); }
    const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }
    const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }
    const_reverse_iterator crbegin() const noexcept { return rbegin(); }
    const_reverse_iterator crend() const noexcept { return rend(); }

    void push_back(T&& x)
    {
        if (m_size == m_capacity) [[unlikely]]
            grow(std::size_t(m_size) + 1);
        new (m_data + m_size) T(std::move(x));
        ++m_size;
    }
    void pop_back() noexcept { m_data[--m_size].~T(); }
    /// The top element, moved out and popped.
    T takeBack() noexcept
    {
        T& top = m_data[--m_size];
        T x = std::move(top);
        top.~T();
        return x;
    }
    void reserve(std::size_t n)
    {
        if (n > m_capacity) grow(n);
    }
    /// Removes the elements from `first` to the top, top first (what a vector's erase(first,
    /// end()) does, the one erase a stack needs).
    void erase(T* first, [[maybe_unused]] T* last) noexcept
    {
        Q_ASSERT(last == end());
        while (end() != first)
            pop_back();
    }
    /// Empties the stack, top first, and gives its memory back: it is in place again.
    void release() noexcept
    {
        while (m_size > 0)
            pop_back();
        if (!isInline()) poolFree(m_data, std::size_t(m_capacity) * sizeof(T));
        m_data = inlineData();
        m_capacity = N;
    }

private:
    T* inlineData() noexcept { return reinterpret_cast<T*>(m_inline); }
    const T* inlineData() const noexcept { return reinterpret_cast<const T*>(m_inline); }
    void grow(std::size_t n)
    {
        const std::size_t capacity = std::max<std::size_t>(n, 2 * std::size_t(m_capacity));
        auto* bigger = static_cast<T*>(poolAllocate(capacity * sizeof(T)));
        for (std::uint32_t i = 0; i < m_size; ++i) {
            new (bigger + i) T(std::move(m_data[i]));
            m_data[i].~T();
        }
        if (!isInline()) poolFree(m_data, std::size_t(m_capacity) * sizeof(T));
        m_data = bigger;
        m_capacity = std::uint32_t(capacity);
    }

    T* m_data; ///< m_inline, or the pool's
    std::uint32_t m_size = 0;
    std::uint32_t m_capacity = N;
    alignas(T) unsigned char m_inline[N * sizeof(T)];
};

} // namespace doeff::detail
