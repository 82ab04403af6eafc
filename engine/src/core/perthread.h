#pragma once

// Per-thread caches on the hot path, reached with one load.

#include <cstdlib>
#include <memory>
#include <new>
#include <type_traits>

namespace doeff::detail {

/// One `T` per thread, made on the thread's first use and destroyed when the thread ends.
///
/// A plain `thread_local T` costs every access a call: its destructor must be registered on first
/// use (a guard and a wrapper function), and a shared library's thread-locals are reached through
/// `__tls_get_addr`. Here the hot path reads one trivially initialised pointer in the static TLS
/// block (the initial-exec model: libdoeff is loaded with the program, or by a host that already
/// has it, and a pointer fits the room glibc keeps for late loads anyway), and only the first use
/// on a thread touches the owner that destroys the object.
template<class T> class PerThread {
    static_assert(std::is_nothrow_default_constructible_v<T>, "made where nothing may throw");

public:
    /// The thread's object; throws std::bad_alloc when there is no room to make it.
    static T& get()
    {
        if (T* p = s_object) [[likely]]
            return *p;
        if (T* p = make()) return *p;
        throw std::bad_alloc();
    }

    /// The thread's object, or null when there is no room to make it (for callers that must
    /// not throw, such as an operator delete).
    static T* tryGet() noexcept
    {
        if (T* p = s_object) [[likely]]
            return p;
        return make();
    }

private:
    struct Free {
        void operator()(T* p) const noexcept
        {
            p->~T();
            std::free(p);
        }
    };
    struct Owner {
        std::unique_ptr<T, Free> object;
        ~Owner()
        {
            s_object = nullptr;
            s_ended = true;
        }
    };

    // malloc, not new: made while the heap may be full (the first frame freed on a thread), this
    // must neither throw nor enter the exception machinery.
    [[gnu::noinline]] static T* make() noexcept
    {
        void* memory = std::malloc(sizeof(T));
        if (!memory) return nullptr;
        T* object = new (memory) T();
        if (s_ended) {
            // Used again by another thread-local's destructor after this one ended: an object
            // for the rest of the thread's teardown, which the owner can no longer destroy.
            s_object = object;
            return object;
        }
        s_owner.object.reset(object);
        s_object = object;
        return object;
    }

    [[gnu::tls_model("initial-exec")]] static inline thread_local T* s_object = nullptr;
    [[gnu::tls_model("initial-exec")]] static inline thread_local bool s_ended = false;
    static inline thread_local Owner s_owner;
};

} // namespace doeff::detail
