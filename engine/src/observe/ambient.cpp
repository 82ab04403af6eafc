#include "ambient.h"

#include <atomic>

namespace doeff::detail {

namespace {
// constant-initialised, so a registrar running during another file's static initialisation
// finds it ready
std::atomic<AmbientObserverFactory> s_factory { nullptr };
} // namespace

AmbientObserver::~AmbientObserver() = default;

void setAmbientObserverFactory(AmbientObserverFactory factory)
{
    s_factory.store(factory);
}

std::unique_ptr<AmbientObserver> makeAmbientObserver(AmbientRunner runner)
{
    const AmbientObserverFactory factory = s_factory.load();
    return factory ? factory(runner) : nullptr;
}

} // namespace doeff::detail
