#pragma once

#include <doeff/export.h>
#include <doeff/observer.h>

#include <memory>
#include <vector>

namespace doeff {

class RuntimeResultBase;

namespace detail {

/// An observer the runners attach to every run by themselves, ahead of the caller's observers.
/// It is registered from above the machine (the inspector does so for DOEFF_INSPECT, the input
/// log for DOEFF_RECORD_INPUTS), so that the machine never reaches up to what it attaches.
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

/// Adds a factory (at most kMaxAmbientFactories; a second add of the same one is ignored);
/// thread-safe. Registrars run during static initialisation.
DOEFF_EXPORT void addAmbientObserverFactory(AmbientObserverFactory factory);
inline constexpr int kMaxAmbientFactories = 4;

/// What the factories give for a run on `runner`, in the order they were added; empty when none
/// has anything to attach.
DOEFF_EXPORT std::vector<std::unique_ptr<AmbientObserver>> makeAmbientObservers(AmbientRunner runner);

} // namespace detail
} // namespace doeff
