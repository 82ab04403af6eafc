// The throw hook and its symbolisation (see throwsite.h).
//
// Why these libraries: libunwind (libunwind-dev) walks the stack from inside __cxa_throw cheaply
// and only records addresses; elfutils' libdw (libdw-dev, dwfl) maps those addresses to modules,
// source lines and the call sites of inlined functions from the debug info of the own process.
// Both are maintained in Debian; the machine never parses DWARF or walks frames itself.

#include "throwsite.h"

#include <doeff/sourceinfo.h>

#include <QtGlobal>

#include <cxxabi.h>
#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <unistd.h>
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <type_traits>
#include <typeinfo>

namespace doeff::detail {

__attribute__((tls_model("initial-exec"))) thread_local int t_captureThrows = 0;

namespace {

constexpr int kSlots = 8;

struct Capture {
    void* object = nullptr;
    const std::type_info* type = nullptr;
    int depth = 0;
    void* ips[ThrowTrace::kDepth];
};

struct Ring {
    Capture slot[kSlots];
    unsigned next = 0;
};

__attribute__((tls_model("initial-exec"))) thread_local Ring* t_ring = nullptr;
std::atomic<unsigned long long> g_captures { 0 };
std::atomic<bool> g_enabled { qEnvironmentVariable("DOEFF_THROW_SITES") != QLatin1String("0") };

/// Frees a thread's ring when the thread ends (a run's thread, a worker of the Studio). The hook
/// reads the plain pointer t_ring, which needs no TLS initialisation on the throw path.
struct RingOwner {
    Ring* ring = nullptr;
    ~RingOwner()
    {
        if (t_ring == ring) t_ring = nullptr;
        std::free(ring);
    }
};
thread_local RingOwner t_ringOwner;
static_assert(std::is_trivially_destructible_v<Ring>, "freed without its destructor");

void capture(void* object, const std::type_info* type)
{
    // Allocates nothing: this runs inside __cxa_throw, and the exception being thrown may be the
    // bad_alloc of a heap with no room left. A thread without a ring (ensureThrowRing() could not
    // make one) throws uncaptured.
    if (!t_ring) [[unlikely]]
        return;
    Capture& c = t_ring->slot[t_ring->next++ % kSlots];
    c.object = object;
    c.type = type;
    c.depth = unw_backtrace(c.ips, ThrowTrace::kDepth);
    g_captures.fetch_add(1, std::memory_order_relaxed);
}

void forget(void* object)
{
    for (Capture& c : t_ring->slot)
        if (c.object == object) c.object = nullptr;
}

// ---- symbolisation ----------------------------------------------------------------------

std::mutex g_mutex;
Dwfl* g_dwfl = nullptr;
std::set<std::string> g_strings; // interned file and function names

const char* intern(const std::string& s)
{
    return g_strings.insert(s).first->c_str();
}

const Dwfl_Callbacks g_callbacks = {
    dwfl_linux_proc_find_elf,
    dwfl_standard_find_debuginfo,
    nullptr,
    nullptr,
};

void report()
{
    if (!g_dwfl) g_dwfl = dwfl_begin(&g_callbacks);
    if (!g_dwfl) return;
    dwfl_report_begin(g_dwfl);
    dwfl_linux_proc_report(g_dwfl, getpid());
    dwfl_report_end(g_dwfl, nullptr, nullptr);
}

Dwfl_Module* moduleOf(Dwarf_Addr pc)
{
    if (!g_dwfl) report();
    if (!g_dwfl) return nullptr;
    Dwfl_Module* m = dwfl_addrmodule(g_dwfl, pc);
    if (!m) { // a library loaded since the last report (a program library)
        report();
        m = dwfl_addrmodule(g_dwfl, pc);
    }
    return m;
}

bool internalModule(Dwfl_Module* m)
{
    const char* name = dwfl_module_info(m, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
    if (!name) return true;
    static Dwfl_Module* self = nullptr;
    if (!self) self = dwfl_addrmodule(g_dwfl, Dwarf_Addr(reinterpret_cast<uintptr_t>(&takeThrowTrace)));
    if (m == self) return true;
    const char* base = std::strrchr(name, '/');
    base = base ? base + 1 : name;
    for (const char* prefix : { "libstdc++", "libgcc_s", "libc.so", "libc-", "libQt6", "libunwind", "ld-linux" })
        if (std::strncmp(base, prefix, std::strlen(prefix)) == 0) return true;
    return false;
}

// Program or handler code: not a system header, not the engine's own sources or headers.
bool programFile(const char* file)
{
    if (!file || !*file) return false;
    if (std::strncmp(file, "/usr/", 5) == 0) return false;
    if (std::strstr(file, "/include/doeff/")) return false;
    if (std::strncmp(file, DOEFF_ENGINE_SOURCE_DIR "/", sizeof(DOEFF_ENGINE_SOURCE_DIR)) == 0) return false;
    return true;
}

std::string demangled(const char* name)
{
    if (!name) return {};
    int status = 0;
    char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    std::string out = status == 0 && d ? d : name;
    std::free(d);
    return out;
}

// The source positions at `pc`, innermost first: the line of the instruction, then the call
// site of each inlined function around it.
bool resolve(Dwfl_Module* m, Dwarf_Addr pc, ThrowSite& out)
{
    Dwfl_Line* line = dwfl_module_getsrc(m, pc);
    int lineNo = 0;
    const char* file = line ? dwfl_lineinfo(line, nullptr, &lineNo, nullptr, nullptr, nullptr) : nullptr;
    const char* symbol = dwfl_module_addrname(m, pc);
    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = dwfl_module_addrdie(m, pc, &bias);
    Dwarf_Die* scopes = nullptr;
    int n = cu ? dwarf_getscopes(cu, pc - bias, &scopes) : 0;
    if (n > 0) {
        // the innermost scope's parents in the DIE tree: GCC's cold partitions (a throw moved
        // out of line) leave the outer scopes' ranges without the pc
        Dwarf_Die* chain = nullptr;
        Dwarf_Die innermost = scopes[0];
        const int k = dwarf_getscopes_die(&innermost, &chain);
        if (k > n) {
            std::free(scopes);
            scopes = chain;
            n = k;
        } else {
            std::free(chain);
        }
    }
    // the name of the function holding scope `from` (or an outer one)
    auto functionFrom = [&](int from) -> const char* {
        for (int j = from; j < n; ++j) {
            const int tag = dwarf_tag(&scopes[j]);
            if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) {
                if (const char* name = dwarf_diename(&scopes[j])) return intern(name);
            }
        }
        return intern(demangled(symbol));
    };
    bool found = false;
    if (file && programFile(file) && lineNo > 0) {
        out = { intern(file), lineNo, functionFrom(0) };
        found = true;
    }
    Dwarf_Files* files = nullptr;
    size_t nfiles = 0;
    if (!found && cu) dwarf_getsrcfiles(cu, &files, &nfiles);
    // the call sites of the inlined functions around pc, innermost first
    for (int i = 0; i < n && !found && files; ++i) {
        if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine) continue;
        Dwarf_Attribute a;
        Dwarf_Word callFile = 0, callLine = 0;
        if (!dwarf_attr(&scopes[i], DW_AT_call_file, &a) || dwarf_formudata(&a, &callFile) != 0) continue;
        if (!dwarf_attr(&scopes[i], DW_AT_call_line, &a) || dwarf_formudata(&a, &callLine) != 0) continue;
        const char* f = dwarf_filesrc(files, callFile, nullptr, nullptr);
        if (f && programFile(f) && callLine > 0) {
            out = { intern(f), int(callLine), functionFrom(i + 1) };
            found = true;
        }
    }
    std::free(scopes);
    return found;
}

// GCC's line table puts a throw spanning lines (`throw E(\n  args);`) on a later line of the
// statement; a traceback names the line the statement starts on. Go back while the previous
// line ends an unfinished expression (an open parenthesis, a comma, an operator) or the line
// continues one (starts with an operator, a closing parenthesis, a member access).
int statementStart(const char* file, int line)
{
    const QString path = QString::fromUtf8(file);
    static const char* const ends[] = { "(", ",", "+", "-", "*", "/", "|", "&", "<<", "=", "?", "[" };
    static const char* const starts[] = { "+", "-", "*", "/", "|", "&", "<<", "?", ":", ".", ")", "]" };
    for (int back = 0; back < 8 && line > 1; ++back) {
        const QString previous = SourceInfo::lineText(path, line - 1).trimmed();
        const QString current = SourceInfo::lineText(path, line).trimmed();
        if (previous.isEmpty() || previous.startsWith(QLatin1String("//")) || previous.endsWith(u';')
            || previous.endsWith(u'{') || previous.endsWith(u'}'))
            break;
        bool unfinished = false;
        for (const char* tail : ends)
            if (previous.endsWith(QLatin1String(tail))) unfinished = true;
        for (const char* head : starts)
            if (current.startsWith(QLatin1String(head)) && !current.startsWith(QLatin1String("//"))) unfinished = true;
        if (!unfinished) break;
        --line;
    }
    return line;
}

} // namespace

ThrowTracePtr takeThrowTrace(const std::exception_ptr& e)
{
    if (!e || !t_ring) return nullptr;
    void* object = nullptr;
    static_assert(sizeof(std::exception_ptr) == sizeof(void*), "libstdc++'s exception_ptr holds the object");
    std::memcpy(&object, static_cast<const void*>(&e), sizeof object);
    for (Capture& c : t_ring->slot) {
        if (!object || c.object != object) continue;
        c.object = nullptr;
        auto trace = std::make_shared<ThrowTrace>();
        trace->depth = c.depth;
        std::memcpy(trace->ips, c.ips, sizeof(void*) * std::size_t(c.depth));
        return trace;
    }
    return nullptr;
}

ThrowSite ThrowTrace::site() const
{
    std::lock_guard lock(g_mutex);
    if (m_resolved) return m_site;
    m_resolved = true;
    for (int i = 1; i < depth; ++i) { // ips[0] is the hook itself
        // a return address points after the call: look up the call instruction
        const Dwarf_Addr pc = Dwarf_Addr(reinterpret_cast<uintptr_t>(ips[i])) - 1;
        Dwfl_Module* m = moduleOf(pc);
        if (!m || internalModule(m)) continue;
        if (resolve(m, pc, m_site)) {
            m_site.line = statementStart(m_site.file, m_site.line);
            break;
        }
    }
    return m_site;
}

void setThrowSitesEnabled(bool on)
{
    g_enabled.store(on, std::memory_order_relaxed);
}

void ensureThrowRing() noexcept
{
    if (t_ring) [[likely]]
        return;
    // malloc, not new: neither a throw nor the hook (t_captureThrows is 0 here) on failure
    void* memory = std::malloc(sizeof(Ring));
    if (!memory) return;
    t_ring = new (memory) Ring;
    t_ringOwner.ring = t_ring; // registers the thread's destructor: while memory is still there
}

unsigned long long throwHookCaptures()
{
    return g_captures.load(std::memory_order_relaxed);
}

} // namespace doeff::detail

// The hook. Interposes libstdc++'s __cxa_throw for every module that resolves it through the
// global scope after libdoeff (the host, program libraries, libstdc++'s own throws); forwards
// to the real one. Off the capture path it costs one thread-local test.
namespace __cxxabiv1 {
extern "C" void __cxa_throw(void* object, std::type_info* type, void (*destroy)(void*))
{
    using Real = void (*)(void*, std::type_info*, void (*)(void*));
    static const Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "__cxa_throw"));
    if (doeff::detail::t_captureThrows > 0 && doeff::detail::g_enabled.load(std::memory_order_relaxed)) [[unlikely]]
        doeff::detail::capture(object, type);
    else if (doeff::detail::t_ring) [[unlikely]]
        doeff::detail::forget(object);
    real(object, type, destroy);
    __builtin_unreachable();
}
} // namespace __cxxabiv1
