// Edge coverage for libFuzzer from GCC's -fsanitize-coverage=trace-pc (see CMakeLists.txt):
// each call hashes (previous block, this block) into a table of 8-bit counters registered with
// libFuzzer, the way AFL counts edges.

#include <cstddef>
#include <cstdint>

extern "C" void __sanitizer_cov_8bit_counters_init(std::uint8_t* begin, std::uint8_t* end);

namespace {
constexpr std::size_t kCounters = std::size_t(1) << 18;
alignas(64) std::uint8_t counters[kCounters];
thread_local std::uintptr_t previousBlock = 0;

struct Registration {
    Registration() { __sanitizer_cov_8bit_counters_init(counters, counters + kCounters); }
} registration;
} // namespace

extern "C" __attribute__((no_sanitize("address", "undefined"))) void __sanitizer_cov_trace_pc()
{
    const auto block = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
    const std::size_t edge = (block ^ previousBlock) % kCounters;
    counters[edge] = static_cast<std::uint8_t>(counters[edge] + 1);
    previousBlock = block >> 1;
}

// GCC also reports float and double comparisons, which libFuzzer has no use for.
extern "C" void __sanitizer_cov_trace_cmpf(float, float) { }
extern "C" void __sanitizer_cov_trace_cmpd(double, double) { }
