#include <doeff/doeff.h>
#include <stdexcept>
using namespace doeff;
Program<QString> fetch_config() {
    QString url = co_await Ask<QString>("database_url");
    co_return url;
}

static Program<QString> main_flow() {
    QString cfg = co_await fetch_config();
    co_return cfg;
}

// The test reaches the program through this accessor (main_flow is file-local).
Program<QString> rr_fetch_config_main() { return main_flow(); }
