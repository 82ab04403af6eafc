#pragma once

// How the engine's small caches recognise a string they saw before by its text pointer (labels,
// trace fields, interned strings), without hashing or comparing it on every hit.

#include <QString>

#include <algorithm>
#include <cstddef>

namespace doeff::detail {

/// A direct-mapped cache's slot (of 2^Bits) for a text address. Multiplicative: string
/// literals sit a few bytes apart, and a shift of the address alone put neighbours in one slot.
template<unsigned Bits> inline std::size_t addressSlot(const void* address)
{
    static_assert(Bits > 0 && Bits < 64);
    return std::size_t((quint64(quintptr(address)) * 0x9E3779B97F4A7C15ull) >> (64 - Bits));
}

/// Raw text (a literal, fromRawData) is not reference-counted: its owner may change or free it
/// once no string made from it is left.
inline bool isRawText(const QString& s)
{
    return !const_cast<QString&>(s).data_ptr().d_ptr();
}

/// A cache entry's hold on the string it was made for: the text pointer it was seen with, and
/// the string itself, kept so that the text cannot change or be freed under the entry (raw text
/// is copied, and compared by content).
class HeldText {
public:
    HeldText() = default;
    explicit HeldText(const QString& s)
        : m_seen(s.constData())
        , m_text(isRawText(s) ? QString(s.constData(), s.size()) : s)
    { }
    /// True when `s` is the held text: the same pointer, and for raw text the same content.
    bool holds(const QString& s) const
    {
        const QChar* p = s.constData();
        if (p != m_seen || s.size() != m_text.size()) return false;
        return isRawText(s) ? std::equal(p, p + s.size(), m_text.constData()) : m_text.constData() == p;
    }
    const QString& text() const { return m_text; }

private:
    const QChar* m_seen = nullptr;
    QString m_text;
};

} // namespace doeff::detail
