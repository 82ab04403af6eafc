#pragma once

// Where an exception was thrown (issue 19): libdoeff interposes __cxa_throw; while the machine
// runs a program or handler step on this thread (ThrowCapture), a throw records its raw return
// addresses (libunwind's unw_backtrace). Only when the error is reported are they resolved
// through the debug info (elfutils libdw) to the first file:line of program or handler code.

#include <exception>
#include <memory>

namespace doeff::detail {

/// File and line of the `throw` in program or handler code; function is the demangled name of
/// the function holding it. The strings live as long as the process.
struct ThrowSite {
    const char* file = nullptr;
    int line = 0;
    const char* function = nullptr;
    bool valid() const { return file != nullptr; }
};

/// How many nested program/handler steps this thread is running (the hook captures only when > 0).
extern thread_local int t_captureThrows;

/// Marks this thread as running program or handler code for its lifetime.
struct ThrowCapture {
    ThrowCapture() { ++t_captureThrows; }
    ~ThrowCapture() { --t_captureThrows; }
    ThrowCapture(const ThrowCapture&) = delete;
    ThrowCapture& operator=(const ThrowCapture&) = delete;
};

/// The return addresses a throw recorded; resolved to a ThrowSite only when asked (the error
/// is reported: an ErrorRaised event, a RuntimeResult's stacks), once.
class ThrowTrace {
public:
    static constexpr int kDepth = 48;
    ThrowSite site() const;

    void* ips[kDepth];
    int depth = 0;

private:
    mutable bool m_resolved = false;
    mutable ThrowSite m_site;
};
using ThrowTracePtr = std::shared_ptr<const ThrowTrace>;

/// The addresses recorded on this thread when `e` was thrown, or null. Consumes the record.
ThrowTracePtr takeThrowTrace(const std::exception_ptr& e);

/// The hook records only while this is on (on by default; DOEFF_THROW_SITES=0 turns it off).
void setThrowSitesEnabled(bool on);

/// Throws the hook has seen while capturing (all threads), for tests and the benchmark.
/// Makes this thread's ring of captured throws, if it has none. The hook allocates nothing (it
/// may run for a bad_alloc), so a thread that runs program code calls this first.
void ensureThrowRing() noexcept;
unsigned long long throwHookCaptures();

} // namespace doeff::detail
