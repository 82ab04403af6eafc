// Search over a whole run: effect names and labels, store keys, values, log text and task names,
// each hit with its step, task, kind and the text that matched, counted exactly; the same over a
// trace file and over a live session's events.

#include "scenario.h"

#include <doeff/search.h>
#include <doeff/trace.h>

#include <QTemporaryDir>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

struct Collect : Observer {
    QList<Event> events;
    void onRecord(const Event& e, const RunView&) override { events.append(e); }
};

Program<int> worker(int n)
{
    int v = co_await Get<int>("alpha");
    co_await Put("alpha", v + n);
    co_await Tell(QStringLiteral("worker %1 says hello").arg(n));
    co_return v + n;
}
Program<int> searched()
{
    co_await Put("alpha", 1);
    co_await Put("beta", QStringLiteral("Alphabet soup"));
    co_await Tell("hello world");
    SpawnOptions a;
    a.name = QStringLiteral("worker-a");
    SpawnOptions b;
    b.name = QStringLiteral("worker-b");
    Task<int> ta = co_await Spawn(worker(10), a);
    Task<int> tb = co_await Spawn(worker(20), b);
    int ra = co_await Wait(ta);
    int rb = co_await Wait(tb);
    co_return ra + rb;
}

QList<Event> runSearched(QList<Observer*> extra = {})
{
    Collect c;
    RunOptions o;
    o.observers = extra + QList<Observer*> { &c };
    auto r = sync_run(searched(), sync_handlers_preset(), {}, {}, o);
    return c.events;
}

QStringList describe(const SearchResult& r)
{
    QStringList out;
    for (const SearchHit& h : r.hits)
        out.append(u"%1 %2 %3 %4"_s.arg(h.step).arg(h.task).arg(QLatin1String(searchKindName(h.kind)), h.text));
    return out;
}

SearchQuery query(const QString& text, int kinds = SearchAllKinds)
{
    SearchQuery q;
    q.text = text;
    q.kinds = kinds;
    return q;
}

} // namespace

class TestSearch : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyKindCountedExactly()
    {
        const QList<Event> events = runSearched();
        // a key, an effect label and a value that contains it (case-insensitive by default);
        // each task's own store copy is written and read on its own
        SearchResult r = search(events, query(u"alpha"_s));
        QCOMPARE(r.total, 9u);
        QCOMPARE(describe(r),
                 QStringList({ u"2 0 effect Put('alpha')"_s, u"2 0 key alpha"_s, u"4 0 value Alphabet soup"_s,
                               u"10 1 effect Get('alpha')"_s, u"14 1 effect Put('alpha')"_s, u"14 1 key alpha"_s,
                               u"16 2 effect Get('alpha')"_s, u"22 2 effect Put('alpha')"_s, u"22 2 key alpha"_s }));
        QCOMPARE(r.events, quint64(events.size()));
        // log text: the Tell's label and the message it appended
        r = search(events, query(u"hello"_s, int(SearchKind::Log)));
        QCOMPARE(describe(r),
                 QStringList({ u"6 0 log hello world"_s, u"20 1 log worker 10 says hello"_s,
                               u"30 2 log worker 20 says hello"_s }));
        // task names
        r = search(events, query(u"worker-"_s, int(SearchKind::Task)));
        QCOMPARE(describe(r), QStringList({ u"8 1 task worker-a"_s, u"12 2 task worker-b"_s }));
        // effect names and labels
        r = search(events, query(u"Put"_s));
        QCOMPARE(r.total, 4u);
        r = search(events, query(u"wait"_s, int(SearchKind::Effect)));
        QCOMPARE(describe(r),
                 QStringList({ u"18 0 effect Wait(task 1 'worker-a')"_s, u"32 0 effect Wait(task 2 'worker-b')"_s }));
        // values: the write of 11 and the task's result 11
        r = search(events, query(u"11"_s, int(SearchKind::Value)));
        QCOMPARE(describe(r), QStringList({ u"14 1 value 11"_s, u"28 1 value 11"_s }));
    }
    void caseLimitAndEmpty()
    {
        const QList<Event> events = runSearched();
        SearchQuery q = query(u"alpha"_s);
        q.caseSensitivity = Qt::CaseSensitive;
        QCOMPARE(search(events, q).total, 8u); // not `Alphabet soup`
        q.limit = 3;
        const SearchResult r = search(events, q);
        QCOMPARE(r.total, 8u);
        QCOMPARE(r.hits.size(), 3);
        QVERIFY(r.truncated());
        QCOMPARE(search(events, query(QString())).total, 0u);
        QCOMPARE(search(events, query(u"no such text"_s)).total, 0u);
    }
    void traceFileGivesTheSameHits()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"s.doefftrace"_s);
        QList<Event> live;
        {
            TraceRecorder rec;
            QVERIFY(rec.open(path));
            live = runSearched({ &rec });
            QVERIFY(rec.finish());
        }
        TraceReader reader;
        QVERIFY2(reader.open(path), qPrintable(reader.errorString()));
        for (const QString& text : { u"alpha"_s, u"hello"_s, u"worker"_s, u"11"_s }) {
            SearchResult fromFile;
            QVERIFY(search(reader, query(text), fromFile));
            const SearchResult fromLive = search(live, query(text));
            QCOMPARE(fromFile.total, fromLive.total);
            QCOMPARE(describe(fromFile), describe(fromLive));
            QCOMPARE(fromFile.events, reader.eventCount());
        }
    }
};

QTEST_GUILESS_MAIN(TestSearch)
#include "tst_search.moc"
