#pragma once

#include <doeff/export.h>
#include <doeff/observer.h>

#include <memory>

namespace doeff {

class RuntimeResultBase;

namespace detail {

/// An observer the runners attach to every run by themselves, ahead of the caller's observers.
/// It is registered from above the machine (the inspector does so for DOEFF_INSPECT), so that
/// the machine never reaches up to what it attaches.
class DOEFF_EXPORT AmbientObserver {
public:
    virtual ~AmbientObserver();
    virtual Observer* observer() = 0;
    /// Called once, after the run returned and announced its end.
    virtual void finish(const RuntimeResultBase& result) = 0;
};

/// Which runner asks: a sync run blocks its thread, an async run must keep its event loop turning.
enum class AmbientRunner : quint8 { Sync, Async };

using AmbientObserverFactory = std::unique_ptr<AmbientObserver> (*)(AmbientRunner runner);

/// Installs the one factory (nullptr removes it); thread-safe.
DOEFF_EXPORT void setAmbientObserverFactory(AmbientObserverFactory factory);

/// What the factory gives for a run on `runner`; null without a factory or when it has nothing
/// to attach.
DOEFF_EXPORT std::unique_ptr<AmbientObserver> makeAmbientObserver(AmbientRunner runner);

} // namespace detail
} // namespace doeff
