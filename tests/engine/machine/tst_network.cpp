// Real I/O under async_run: programs fetch pages from a local HTTP server (started by the test
// on 127.0.0.1, ephemeral port) with QNetworkAccessManager, gather them, and handle the one
// that answers 500. The server shares the event loop the run must never block: it answers
// nothing until every request of a Gather has arrived, so the pages can only be fetched if
// the fetches really are in flight together.

#include "scenario.h"
#include "tinyhttpserver.h"

#include <QCoroNetworkReply>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>

#include <stdexcept>

using namespace doeff;
using namespace scenario;
using namespace Qt::StringLiterals;

namespace {

/// Runs on the runner's event loop (async_run starts Await factories there). The manager
/// outlives the coroutine, and the reply is deleted later: QCoro resumes this coroutine from
/// inside the reply's finished() signal, so nothing may delete the reply synchronously here.
QCoro::Task<QString> download(QNetworkAccessManager* nam, QUrl url)
{
    QNetworkRequest request(url);
    request.setTransferTimeout(30000); // a hung exchange fails the test instead of hanging it
    QNetworkReply* reply = nam->get(request);
    co_await reply;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError && status == 0)
        throw std::runtime_error("network error: " + reply->errorString().toStdString());
    if (status != 200) throw std::runtime_error("HTTP " + std::to_string(status) + " for " + url.path().toStdString());
    co_return QString::fromUtf8(reply->readAll());
}

/// The effect, built in a plain function (no capturing lambda inside a co_await expression).
auto fetch(QNetworkAccessManager* nam, QUrl url)
{
    return Await([nam, url] { return download(nam, url); });
}

Program<QString> fetchOne(QNetworkAccessManager* nam, QUrl url)
{
    QString body = co_await fetch(nam, url);
    co_await Tell(u"fetched "_s + url.path());
    co_return body;
}

Program<QVariantList> pagesThenAFailure(QNetworkAccessManager* nam, QUrl a, QUrl b, QUrl broken)
{
    QVariantList pages = co_await Gather(fetchOne(nam, a), fetchOne(nam, b));
    Result<QString> failed = co_await Safe(fetchOne(nam, broken));
    co_return QVariantList { QVariant(pages), failed.is_err() ? failed.error().describe() : u"no error"_s };
}

Program<QVariantList> oneGatherWithAFailure(QNetworkAccessManager* nam, QUrl a, QUrl broken, QUrl b)
{
    auto r = co_await Safe(Gather(fetchOne(nam, a), fetchOne(nam, broken), fetchOne(nam, b)));
    co_return QVariantList { r.is_err(), r.is_err() ? r.error().message() : QString() };
}

Program<QVariantList> manyPages(QNetworkAccessManager* nam, QList<QUrl> urls)
{
    QList<GatherItem> fetches;
    for (const QUrl& u : urls)
        fetches.append(GatherItem(fetchOne(nam, u)));
    QVariantList pages = co_await GatherAll(std::move(fetches));
    co_return pages;
}

} // namespace

class TestNetwork : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void gathersPagesAndHandlesA500()
    {
        QNetworkAccessManager nam;
        TinyHttpServer server(2); // /a and /b are answered only once both are waiting
        QVERIFY(server.listen());
        auto r = QCoro::waitFor(
            async_run(pagesThenAFailure(&nam, server.url(u"/a"_s), server.url(u"/b"_s), server.url(u"/fail"_s)),
                      async_handlers_preset()));
        QCOMPARE(resultText(r), u"Ok([['page a', 'page b'], 'std::runtime_error: HTTP 500 for /fail'])"_s);
        // the pages arrive in whatever order the network gives; Gather keeps argument order
        QStringList log = r.raw_store().value(u"__log__"_s).toStringList();
        log.sort();
        QCOMPARE(log, QStringList({ u"fetched /a"_s, u"fetched /b"_s }));
        QCOMPARE(server.received.size(), 3);
        QCOMPARE(server.received.last(), u"/fail"_s);
    }
    void aFailingFetchFailsItsGather()
    {
        QNetworkAccessManager nam;
        QSignalSpy finished(&nam, &QNetworkAccessManager::finished);
        TinyHttpServer server(3);
        QVERIFY(server.listen());
        auto r = QCoro::waitFor(
            async_run(oneGatherWithAFailure(&nam, server.url(u"/a"_s), server.url(u"/fail"_s), server.url(u"/b"_s)),
                      async_handlers_preset()));
        QCOMPARE(resultText(r), u"Ok([true, 'HTTP 500 for /fail'])"_s);
        QCOMPARE(server.received.size(), 3);
        // The Gather failed with the other fetches still in flight: the run does not wait for
        // them, but their coroutines finish on this loop once the replies arrive (the manager
        // must outlive them).
        QTRY_COMPARE(finished.count(), 3);
    }
    void fiftyPagesInFlightTogether()
    {
        QNetworkAccessManager nam;
        // QNetworkAccessManager opens at most six connections per host: nothing is answered
        // before six requests are open at once.
        TinyHttpServer server(6);
        QVERIFY(server.listen());
        QList<QUrl> urls;
        QStringList expected;
        for (int i = 0; i < 50; ++i) {
            urls.append(server.url(u"/p%1"_s.arg(i)));
            expected.append(u"'page p%1'"_s.arg(i));
        }
        auto r = QCoro::waitFor(async_run(manyPages(&nam, urls), async_handlers_preset()));
        QCOMPARE(resultText(r), u"Ok(["_s + expected.join(u", "_s) + u"])"_s);
        QCOMPARE(server.received.size(), 50);
    }
};

QTEST_GUILESS_MAIN(TestNetwork)
#include "tst_network.moc"
