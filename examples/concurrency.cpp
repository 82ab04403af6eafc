// Tasks, promises and the outside world: fetch_user, word_count, pipeline, deadlock, fanout.

#include <doeff_examples.h>

#include <doeff/doeff.h>

#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

// ---- fetch_data: Await of a QFuture --------------------------------------------------------
// The "download" is a QtConcurrent computation standing in for network I/O. Await suspends only
// the awaiting task; sync_run drives the future on a worker thread, async_run on its event loop.
// The factory form starts the work when the effect is handled, not when it is built.
QVariantMap download(const QString& url)
{
    const QString id = QUrl(url).path().section(u'/', -1);
    return { { u"id"_s, id.toInt() }, { u"name"_s, u"User %1"_s.arg(id) }, { u"url"_s, url } };
}

Program<QVariantMap> fetch_data_main()
{
    const QString url = co_await Ask<QString>("url");
    co_await Tell(u"fetching %1"_s.arg(url));
    auto request = Await([url] { return QtConcurrent::run(download, url); });
    const QVariantMap user = co_await request;
    co_await Tell(u"fetched %1"_s.arg(user.value(u"name"_s).toString()));
    co_return user;
}

// ---- parallel_work: Spawn and Gather -------------------------------------------------------
// One task per document counts its words. Every Tell is a scheduling point, so the workers
// interleave round-robin; Gather returns their results in argument order all the same.
Program<int> count_words(QString document)
{
    const QStringList words = document.split(u' ', Qt::SkipEmptyParts);
    for (const QString& word : words)
        co_await Tell(word); // into the worker's own copy of the store
    co_return int(words.size());
}

Program<QVariantMap> parallel_work_main()
{
    const QStringList documents = co_await Ask<QStringList>("documents");
    QList<GatherItem> workers;
    for (const QString& document : documents) {
        Task<int> worker = co_await Spawn(count_words(document));
        workers.append(worker);
    }
    const QVariantList counts = co_await GatherAll(workers);
    int total = 0;
    for (const QVariant& c : counts)
        total += c.toInt();
    co_await Tell(u"counted %1 words in %2 documents"_s.arg(total).arg(documents.size()));
    co_return QVariantMap { { u"counts"_s, counts }, { u"total"_s, total } };
}

// ---- pipeline: stages connected by promises ------------------------------------------------
// producer → parser → consumer, each a task; a promise carries each stage's output to the
// next. A stage that fails passes its error downstream with FailPromise, so the consumer's Wait
// rethrows the parser's exception object and the run fails with it. The default input has a bad
// record; try `--env records='["ada,36","grace,45"]'`.
Program<void> produce(Promise<QStringList> out)
{
    const QStringList records = co_await Ask<QStringList>("records");
    co_await Tell(u"produced %1 records"_s.arg(records.size()));
    co_await CompletePromise(out, records);
}

Program<QVariantMap> parse_record(QString record, int number)
{
    const QStringList parts = record.split(u',');
    bool ok = false;
    const int age = parts.value(1).trimmed().toInt(&ok);
    if (parts.size() != 2 || !ok)
        throw examples::ParseError(
            u"record %1 '%2': age '%3' is not a number"_s.arg(number).arg(record, parts.value(1)).toStdString());
    co_await Step(record); // one graph node per parsed record
    co_return QVariantMap { { u"name"_s, parts.value(0).trimmed() }, { u"age"_s, age } };
}

Program<void> parse_stage(Promise<QStringList> in, Promise<QVariantList> out)
{
    const QStringList records = co_await Wait(in.future());
    QVariantList people;
    std::exception_ptr failure;
    try {
        for (qsizetype i = 0; i < records.size(); ++i)
            people.append(co_await parse_record(records.at(i), int(i + 1)));
    } catch (...) {
        failure = std::current_exception(); // no co_await inside a catch block
    }
    if (failure)
        co_await FailPromise(out, failure);
    else
        co_await CompletePromise(out, people);
}

Program<QVariantMap> consume(Promise<QVariantList> in)
{
    const QVariantList people = co_await Wait(in.future());
    int totalAge = 0;
    for (const QVariant& person : people)
        totalAge += person.toMap().value(u"age"_s).toInt();
    co_await Tell(u"consumed %1 people"_s.arg(people.size()));
    co_return QVariantMap { { u"people"_s, people.size() }, { u"total_age"_s, totalAge } };
}

Program<QVariantMap> pipeline_main()
{
    const Promise<QStringList> raw = co_await CreatePromise<QStringList>();
    const Promise<QVariantList> parsed = co_await CreatePromise<QVariantList>();
    const SpawnOptions producer { .name = u"producer"_s };
    const SpawnOptions parser { .name = u"parser"_s };
    const SpawnOptions consumer { .name = u"consumer"_s };
    co_await Spawn(produce(raw), producer);
    co_await Spawn(parse_stage(raw, parsed), parser);
    const Task<QVariantMap> last = co_await Spawn(consume(parsed), consumer);
    co_return co_await Wait(last);
}

// ---- deadlock: two tasks waiting on each other ---------------------------------------------
// Each partner waits for the other's message before sending its own. Nothing can make progress,
// so every blocked task (both partners, then main in its Gather) receives DeadlockError naming
// what each one waits on.
Program<QString> partner(QString me, Promise<QString> mine, Promise<QString> theirs)
{
    co_await Tell(u"%1 waits for a message"_s.arg(me));
    const QString message = co_await Wait(theirs.future());
    co_await CompletePromise(mine, u"hello from %1"_s.arg(me));
    co_return message;
}

Program<QVariantList> deadlock_main()
{
    const Promise<QString> fromAlice = co_await CreatePromise<QString>();
    const Promise<QString> fromBob = co_await CreatePromise<QString>();
    const SpawnOptions alice { .name = u"alice"_s };
    const SpawnOptions bob { .name = u"bob"_s };
    const Task<QString> a = co_await Spawn(partner(u"alice"_s, fromAlice, fromBob), alice);
    const Task<QString> b = co_await Spawn(partner(u"bob"_s, fromBob, fromAlice), bob);
    co_return co_await Gather(a, b);
}

// ---- fanout: ten thousand tasks --------------------------------------------------------------
// Spawns `tasks` small tasks (each Asks the env once) and gathers them. Returns the count and the
// sum, not the 10,000-element list.
Program<int> scaled(int i)
{
    const int multiplier = co_await Ask<int>("multiplier");
    co_return i* multiplier;
}

Program<QVariantMap> fanout_main()
{
    const int n = co_await Ask<int>("tasks");
    QList<GatherItem> tasks;
    tasks.reserve(n);
    for (int i = 0; i < n; ++i) {
        Task<int> t = co_await Spawn(scaled(i));
        tasks.append(t);
    }
    const QVariantList values = co_await GatherAll(tasks);
    qint64 sum = 0;
    for (const QVariant& v : values)
        sum += v.toLongLong();
    co_return QVariantMap { { u"tasks"_s, values.size() }, { u"sum"_s, sum } };
}

} // namespace

DOEFF_PROGRAM(fetch_user, "Awaits a QtConcurrent computation standing in for an HTTP request", fetch_data_main,
              .env = { { u"url"_s, u"https://api.example.com/users/42"_s } }, .group = u"Demos"_s);

DOEFF_PROGRAM(word_count, "Spawns one word-counting task per document and gathers the counts", parallel_work_main,
              .env
              = { { u"documents"_s,
                    QStringList { u"effects are data"_s, u"handlers give them meaning"_s, u"tasks interleave"_s } } },
              .group = u"Demos"_s);

DOEFF_PROGRAM(pipeline, "Producer, parser and consumer tasks linked by promises; a bad record fails the run",
              pipeline_main, .env = { { u"records"_s, QStringList { u"ada,36"_s, u"bob,x"_s, u"grace,45"_s } } },
              .group = u"Demos"_s);

DOEFF_PROGRAM(deadlock, "Two tasks wait on each other's promise: every blocked task gets DeadlockError", deadlock_main,
              .group = u"Demos"_s);

DOEFF_PROGRAM(fanout, "Spawns 10,000 tasks and gathers them", fanout_main,
              .env = { { u"tasks"_s, 10000 }, { u"multiplier"_s, 2 } }, .group = u"Demos"_s);
