// Real network I/O: fetch_pages downloads pages over HTTP with QNetworkAccessManager, one task
// per page, and gathers them. Its replay (docs/replay.md) fetches nothing: the pages come from
// the recording, so it replays with the server gone.

#include <doeff_examples.h>

#include <doeff/doeff.h>

#include <QCoroNetworkReply>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrl>

#include <stdexcept>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

/// GET `url`: the body of a 200 answer; anything else throws, naming what went wrong. Runs on
/// the thread that drives Awaits (the factory below is called there), which owns the manager;
/// QCoro resumes this coroutine from the reply's finished() signal, so both are deleted later.
QCoro::Task<QString> download(QUrl url)
{
    auto* nam = new QNetworkAccessManager;
    QNetworkRequest request(url);
    request.setTransferTimeout(30000);
    QNetworkReply* reply = nam->get(request);
    co_await reply;
    reply->deleteLater();
    nam->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError && status == 0)
        throw std::runtime_error("cannot fetch " + url.toString().toStdString() + ": "
                                 + reply->errorString().toStdString());
    if (status != 200)
        throw std::runtime_error("HTTP " + std::to_string(status) + " for " + url.toString().toStdString());
    co_return QString::fromUtf8(reply->readAll());
}

/// The effect, built in a plain function (no capturing lambda inside a co_await expression).
auto fetch(QUrl url)
{
    return Await([url] { return download(url); });
}

Program<QString> fetch_page(QUrl url)
{
    const QString body = co_await fetch(url);
    co_await Tell(u"fetched %1 (%2 bytes)"_s.arg(url.path()).arg(body.size()));
    co_return body;
}

Program<QVariantList> fetch_pages_main()
{
    const QString base = co_await Ask<QString>("base_url");
    const QStringList paths = co_await Ask<QStringList>("pages");
    QList<GatherItem> fetches;
    for (const QString& path : paths)
        fetches.append(GatherItem(fetch_page(QUrl(base + path))));
    QVariantList pages = co_await GatherAll(std::move(fetches));
    co_return pages;
}

} // namespace

DOEFF_PROGRAM(fetch_pages,
              "Fetches base_url + each of pages over HTTP, one task per page (start a server first, e.g. "
              "python3 -m http.server 8765)",
              fetch_pages_main,
              .env
              = { { u"base_url"_s, u"http://127.0.0.1:8765"_s }, { u"pages"_s, QStringList { u"/a"_s, u"/b"_s } } },
              .group = u"Demos"_s);
