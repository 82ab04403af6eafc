// A debuggee that crashes mid-run: it writes the store once, then aborts the whole process while
// its program is running. Run under doeff-dap (DOEFF_INSPECT set) it connects, is driven, and dies
// with SIGABRT; the adapter must report that and end the session instead of hanging.
#include <doeff/doeff.h>

#include <QCoreApplication>

#include <cstdlib>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {
Program<qint64> crash()
{
    co_await Put("before_crash", qint64(1));
    std::abort();
    co_return 0;
}
} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv); // the inspector connection needs an application object
    auto result = sync_run(crash(), sync_handlers_preset());
    return result.is_ok() ? 0 : 1;
}
