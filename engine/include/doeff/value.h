#pragma once

#include <doeff/export.h>

#include <QString>
#include <QVariant>

#include <exception>
#include <functional>
#include <typeinfo>

/// Values as the runtime prints them: the `repr` notation of RUNTIME.md §1, type names of
/// errors, and display names of program functions.
namespace doeff {

/// The repr text of a value (RUNTIME.md §1): `null`, `true`, `42`, `2.5`, `5.0`, `'it\'s'`,
/// `b'..'`, `[a, b]`, `{'k': v}` (sorted keys), `QDateTime(2024-01-01T12:00:00.000Z)`, the repr
/// registered for the value's type, else `<TypeName>`.
DOEFF_EXPORT QString repr(const QVariant& value);

/// `Name('key')`: the label of an effect on one key (`Get('counter')`), in one allocation.
DOEFF_EXPORT QString keyedLabel(const char* name, const QString& key);

/// Registers how values of a metatype print in repr(). Thread-safe; a later registration wins.
DOEFF_EXPORT void registerReprFunction(QMetaType type, std::function<QString(const QVariant&)> fn);

template<class T> void registerRepr(std::function<QString(const T&)> fn)
{
    registerReprFunction(QMetaType::fromType<T>(),
                         [fn = std::move(fn)](const QVariant& v) { return fn(*static_cast<const T*>(v.constData())); });
}

/// True for the invalid QVariant and for a QVariant holding std::nullptr_t.
DOEFF_EXPORT bool isNull(const QVariant& value);

/// Demangled name of a type, with the engine's own `doeff::` prefix removed
/// (`MissingEnvKeyError`, `std::runtime_error`, `app::BadInput`, `int`, `QString`).
DOEFF_EXPORT QString typeDisplayName(const std::type_info& type);

/// Printed type name of the exception an exception_ptr holds. For a `std::throw_with_nested(T)`
/// wrapper it is `T`. For an object that is not a std::exception, its demangled type name.
DOEFF_EXPORT QString exceptionTypeName(const std::exception_ptr& error);

/// Message of the exception: `what()` unchanged, or `(not a std::exception)`.
DOEFF_EXPORT QString exceptionMessage(const std::exception_ptr& error);

/// `Type: message` of an exception.
DOEFF_EXPORT QString describeException(const std::exception_ptr& error);

/// The innermost exception nested with std::throw_with_nested (the error itself when none).
DOEFF_EXPORT std::exception_ptr rootCause(const std::exception_ptr& error);

/// Display name of a function from `std::source_location::function_name()` (GCC's pretty
/// signature): qualified name as written, without return type, parameters or template
/// arguments. `doeff::Program<int> level3()` → `level3`; `Program<X> app::fetch(const QString&)`
/// → `app::fetch`; anything naming a lambda → `lambda`. Results are cached (by content; thread-safe).
DOEFF_EXPORT QString functionDisplayName(const char* prettyFunction);
/// functionDisplayName() for text that stays at its address for the life of the process
/// (`std::source_location::function_name()`; program libraries are never unloaded): cached by
/// address, per thread, without a lock.
DOEFF_EXPORT QString functionDisplayNameOfStatic(const char* prettyFunction);

/// Display name of a QMetaType for messages: `int`, `QString`, `QVariantMap`.
DOEFF_EXPORT QString metaTypeDisplayName(QMetaType type);

namespace detail {
/// A QVariant that holds nothing: default-constructed or moved from. Read from its data, inline:
/// QVariant::isValid() and its destructor are calls into Qt even then, and a handler's answer
/// leaves a moved-from one behind for every effect it answers.
Q_ALWAYS_INLINE bool holdsNothing(const QVariant& v) noexcept
{
    return v.data_ptr().packedType == 0 && !v.data_ptr().is_shared;
}
} // namespace detail

} // namespace doeff
