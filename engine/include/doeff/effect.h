#pragma once

#include <doeff/export.h>

#include <QString>
#include <QVariantMap>

#include <cstdint>
#include <memory>
#include <type_traits>
#include <typeinfo>

/// Effects: request objects a program `co_await`s. A user effect is a small struct:
///
///     struct Ping : doeff::Effect<Ping, int> {
///         static constexpr auto name = "Ping";
///         int n = 0;
///         QVariantMap fields() const { return {{"n", n}}; }
///     };
namespace doeff {

/// Per effect class, one static description: how to name, describe, copy and destroy it.
struct EffectType {
    const char* name;
    const std::type_info* type;
    QVariantMap (*fields)(const void*);
    QString (*label)(const void*);
    void* (*clone)(const void*);
    void (*destroy)(void*);
    int builtin; ///< engine-internal id of built-in effects, 0 for user effects
    /// FNV-1a of `name`: lets AnyEffect::is() reject another effect class without comparing
    /// type names (the type_info comparison that remains is for one class seen from two
    /// shared libraries).
    std::uint64_t nameHash;
    /// The class has no label() of its own: its label is defaultEffectLabel(name, fields), so
    /// two effects with equal fields have the same label.
    bool defaultLabel;
};

namespace detail {
constexpr std::uint64_t effectNameHash(const char* s)
{
    std::uint64_t h = 14695981039346656037ull;
    for (; *s; ++s)
        h = (h ^ std::uint64_t(static_cast<unsigned char>(*s))) * 1099511628211ull;
    return h;
}
} // namespace detail

struct EffectTag { };

namespace detail {
template<class E>
concept HasFields = requires(const E& e)
{
    {
        e.fields()
        } -> std::convertible_to<QVariantMap>;
};
template<class E>
concept HasLabel = requires(const E& e)
{
    {
        e.label()
        } -> std::convertible_to<QString>;
};
template<class E>
concept HasBuiltinId = requires
{
    E::builtinId;
};

DOEFF_EXPORT QString defaultEffectLabel(const char* name, const QVariantMap& fields);

template<class E> QVariantMap fieldsOf(const void* p)
{
    if constexpr (HasFields<E>)
        return static_cast<const E*>(p)->fields();
    else
        return {};
}

template<class E> QString labelOf(const void* p)
{
    if constexpr (HasLabel<E>)
        return static_cast<const E*>(p)->label();
    else
        return defaultEffectLabel(E::name, fieldsOf<E>(p));
}

template<class E> constexpr int builtinOf()
{
    if constexpr (HasBuiltinId<E>)
        return E::builtinId;
    else
        return 0;
}

template<class E>
inline const EffectType effectTypeOf = {
    E::name,
    &typeid(E),
    &fieldsOf<E>,
    &labelOf<E>,
    [](const void* p) -> void* { return new E(*static_cast<const E*>(p)); },
    [](void* p) { delete static_cast<E*>(p); },
    builtinOf<E>(),
    effectNameHash(E::name),
    !HasLabel<E>,
};
} // namespace detail

/// An effect whose `co_await` converts its result to T (`Get<int>("n")`). Same effect class.
template<class E, class T> struct Typed : E {
    using result_type = T;
};

/// CRTP base of every effect. `R` is the result type a plain `co_await` converts to.
template<class Derived, class R = QVariant> struct Effect : EffectTag {
    using result_type = R;
    using effect_class = Derived;
    static const EffectType& effectType() { return detail::effectTypeOf<Derived>; }
};

template<class E>
concept EffectLike = std::is_base_of_v<EffectTag, std::remove_cvref_t<E>>;

/// A type-erased effect. Either borrows an effect living in a suspended coroutine frame (no
/// allocation: the engine's fast path) or shares ownership of a heap copy.
class DOEFF_EXPORT AnyEffect {
public:
    AnyEffect() = default;

    template<EffectLike E> static AnyEffect borrow(const E& e)
    {
        return AnyEffect(&E::effectType(), static_cast<const typename E::effect_class*>(&e), nullptr);
    }
    template<EffectLike E> static AnyEffect own(E e)
    {
        using C = typename E::effect_class;
        auto p = std::make_shared<const C>(static_cast<C&&>(e));
        const void* raw = p.get();
        return AnyEffect(&E::effectType(), raw, std::move(p));
    }
    /// Shares ownership of a heap copy made by EffectType::clone.
    static AnyEffect adopt(const EffectType* type, void* object);
    /// Borrows `object`, an effect of `type` (what borrow() makes, from its two parts).
    static AnyEffect borrow(const EffectType* type, const void* object) { return AnyEffect(type, object, nullptr); }

    bool isValid() const { return m_type != nullptr; }
    const EffectType* type() const { return m_type; }
    const void* object() const { return m_obj; }
    int builtin() const { return m_type ? m_type->builtin : 0; }

    template<class E> bool is() const
    {
        if (!m_type) return false;
        const EffectType& want = E::effectType();
        return m_type == &want || (m_type->nameHash == want.nameHash && *m_type->type == typeid(E));
    }
    template<class E> const E* as() const { return is<E>() ? static_cast<const E*>(m_obj) : nullptr; }

    /// The effect class's name: `Ask`, `Ping`.
    QString name() const;
    /// The effect's fields, for display and serialisation.
    QVariantMap fields() const;
    /// Display label: `Ask('key')`, `Ping(n=2)`.
    QString label() const;
    /// An owning copy (a no-op for effects that are already owned).
    AnyEffect owned() const;
    bool isOwned() const { return m_owner != nullptr; }

private:
    AnyEffect(const EffectType* t, const void* o, std::shared_ptr<const void> owner)
        : m_type(t)
        , m_obj(o)
        , m_owner(std::move(owner))
    { }
    const EffectType* m_type = nullptr;
    const void* m_obj = nullptr;
    std::shared_ptr<const void> m_owner;
};

} // namespace doeff
