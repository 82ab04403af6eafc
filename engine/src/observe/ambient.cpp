#include "ambient.h"

#include <QtGlobal>

#include <atomic>

namespace doeff::detail {

namespace {
// constant-initialised, so a registrar running during another file's static initialisation
// finds it ready
std::atomic<AmbientObserverFactory> s_factories[kMaxAmbientFactories] {};
} // namespace

AmbientObserver::~AmbientObserver() = default;

void addAmbientObserverFactory(AmbientObserverFactory factory)
{
    for (auto& slot : s_factories) {
        AmbientObserverFactory empty = nullptr;
        if (slot.compare_exchange_strong(empty, factory) || empty == factory) return;
    }
    Q_ASSERT_X(false, "addAmbientObserverFactory", "too many ambient observer factories");
}

std::vector<std::unique_ptr<AmbientObserver>> makeAmbientObservers(AmbientRunner runner)
{
    std::vector<std::unique_ptr<AmbientObserver>> out;
    for (const auto& slot : s_factories)
        if (const AmbientObserverFactory factory = slot.load())
            if (auto observer = factory(runner)) out.push_back(std::move(observer));
    return out;
}

} // namespace doeff::detail
