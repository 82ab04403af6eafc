#include <doeff/doeff.h>

#include "snippets.h"

using namespace doeff;

// [snippet]
Program<QString> connect()
{
    QString url = co_await Ask<QString>("database_url");
    co_return "connected to " + url;
}

Program<QVariantList> environment()
{
    QString a = co_await connect(); // the run's env
    Env testing { { "database_url", "sqlite::memory:" } }; // built outside co_await (GCC 12)
    QString b = co_await Local(testing, connect()); // overridden for this call only
    co_return QVariantList { a, b };
}

QString runEnvironment()
{
    Env env { { "database_url", "postgres://prod" } };
    return sync_run(environment(), sync_handlers_preset(), env).format();
}
// [/snippet]

SNIPPET_CHECK(environment, runEnvironment(), "Ok(['connected to postgres://prod', 'connected to sqlite::memory:'])")
