#include <doeff/doeff.h>

#include "snippets.h"

using namespace doeff;

// [snippet]
// A user effect: a name, fields for display, and the result type a plain co_await gives.
struct Fetch : Effect<Fetch, QString> {
    static constexpr auto name = "Fetch";
    QString url;
    QVariantMap fields() const { return { { "url", url } }; }
};
Fetch fetch(QString url)
{
    Fetch f;
    f.url = std::move(url);
    return f;
}

// A fast handler: a plain function, no effects of its own.
Handler fakeNetwork = handler("fakeNetwork", [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
    if (auto* f = e.as<Fetch>()) return Resume("<html>" + f->url + "</html>");
    return Forward(); // not ours: let the handlers further out decide
});

// A coroutine handler: may perform effects, including asking the handlers further out.
Handler caching = handler("caching", [](const AnyEffect& e, HandlerContext& ctx) -> Program<HandlerResult> {
    auto* f = e.as<Fetch>();
    if (!f) co_return Forward();
    if (co_await CacheExists(f->url)) co_return Resume(co_await CacheGet(f->url));
    QVariant page = co_await ctx.forward(); // fakeNetwork answers
    co_await CachePut(f->url, page);
    co_await Tell("fetched " + f->url);
    co_return Resume(page);
});

Program<QString> twoFetches()
{
    QString first = co_await fetch("example.org");
    QString second = co_await fetch("example.org"); // served from the cache
    co_return first == second ? first : QString("different");
}

QString runHandlers()
{
    HandlerList handlers = sync_handlers_preset();
    handlers.prepend(fakeNetwork); // outermost: sees what nobody else took
    handlers.append(caching); // innermost: sees every effect first
    auto r = sync_run(twoFetches(), handlers);
    return r.format() + " " + repr(r.raw_store().value("__log__"));
}
// [/snippet]

SNIPPET_CHECK(handlers, runHandlers(), "Ok('<html>example.org</html>') ['fetched example.org']")
