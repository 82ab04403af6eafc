#include "pool.h"

#include "perthread.h"

#include <cstdlib>
#include <new>

namespace doeff::detail {

// Blocks up to 1 KiB are cached, by malloc's own classes: malloc keeps a word before each
// block and rounds the two up to 16 bytes, so a class here is the blocks of 16·c − 8 bytes, each
// exactly one of malloc's 16·c-byte chunks. Asking malloc for a 16-byte multiple instead would
// waste 8 bytes of every block, which matters where many stay alive (deep calls, many blocked
// tasks).
namespace {
constexpr std::size_t kGranule = 16;
constexpr std::size_t kHeader = sizeof(void*);
constexpr std::size_t kClasses = 64;
constexpr std::size_t kMaxCachedPerClass = 256;

struct FreeLists {
    void* heads[kClasses] = {};
    std::size_t counts[kClasses] = {};
    ~FreeLists()
    {
        for (void*& head : heads)
            while (head) {
                void* next = *static_cast<void**>(head);
                std::free(head);
                head = next;
            }
    }
};

std::size_t sizeClass(std::size_t size)
{
    return (size + kHeader + kGranule - 1) / kGranule;
}

std::size_t classBytes(std::size_t c)
{
    return c * kGranule - kHeader;
}
} // namespace

void* poolAllocate(std::size_t size)
{
    FreeLists& lists = PerThread<FreeLists>::get();
    const std::size_t c = sizeClass(size);
    if (c < kClasses && lists.heads[c]) {
        void* p = lists.heads[c];
        lists.heads[c] = *static_cast<void**>(p);
        --lists.counts[c];
        return p;
    }
    void* p = std::malloc(c < kClasses ? classBytes(c) : size);
    if (!p) throw std::bad_alloc();
    return p;
}

void poolFree(void* p, std::size_t size) noexcept
{
    FreeLists* lists = PerThread<FreeLists>::tryGet();
    const std::size_t c = sizeClass(size);
    if (lists && c < kClasses && lists->counts[c] < kMaxCachedPerClass) {
        *static_cast<void**>(p) = lists->heads[c];
        lists->heads[c] = p;
        ++lists->counts[c];
        return;
    }
    std::free(p);
}

} // namespace doeff::detail
