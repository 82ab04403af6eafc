// Store: insertion order, O(1) lookup, copy-on-write snapshots.

#include <doeff/effects.h>
#include <doeff/store.h>

#include <QtTest>

#include <cstring>
#include <thread>
#include <vector>

using namespace doeff;

class TestStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void insertionOrderIsKept()
    {
        Store s { { QStringLiteral("b"), 1 }, { QStringLiteral("a"), 2 } };
        s.insert(QStringLiteral("c"), 3);
        s.insert(QStringLiteral("b"), 10); // existing key keeps its place
        QCOMPARE(s.keys(), (QStringList { QStringLiteral("b"), QStringLiteral("a"), QStringLiteral("c") }));
        QCOMPARE(s.value(QStringLiteral("b")).toInt(), 10);
        QCOMPARE(s.size(), 3);
    }
    void literalKeysAreSharedAndNeverStale()
    {
        const detail::KeyArg a("counter");
        const detail::KeyArg b("counter");
        QCOMPARE(a.text, QStringLiteral("counter"));
        QVERIFY(a.text.constData() == b.text.constData()); // one literal: one shared string
        char buffer[8] = "first";
        const char(&view)[8] = buffer;
        QCOMPARE(detail::KeyArg(view).text, QStringLiteral("first"));
        std::strcpy(buffer, "second"); // the same address now holds other text
        QCOMPARE(detail::KeyArg(view).text, QStringLiteral("second"));
        QCOMPARE(detail::KeyArg("k\u00e9y").text, QString::fromUtf8("k\u00e9y"));
    }
    /// textFromUtf8(), the cache for long texts (file names), tells a buffer that now holds
    /// other text from the text it held, however long and however alike.
    void longTextsAreCheckedAgainstTheirBytes()
    {
        char buffer[80] = "/home/someone/projects/app/src/a_rather_long_source_file_name.cpp";
        const qsizetype size = qsizetype(std::strlen(buffer));
        const QString first = detail::textFromUtf8(buffer, size);
        QCOMPARE(first, QString::fromUtf8(buffer));
        QVERIFY(detail::textFromUtf8(buffer, size).constData() == first.constData()); // the cached string
        buffer[size - 5] = 'b'; // the same address and length, one byte apart near the end
        QCOMPARE(detail::textFromUtf8(buffer, size), QString::fromUtf8(buffer));
        buffer[3] = 'X'; // and near the start
        QCOMPARE(detail::textFromUtf8(buffer, size), QString::fromUtf8(buffer));
        QCOMPARE(first, QStringLiteral("/home/someone/projects/app/src/a_rather_long_source_file_name.cpp"));
    }
    void literalKeysOnOtherThreads()
    {
        // each thread has its own cache of literal keys, made on its first key and freed when it
        // ends (the sanitizer job reports one left behind); the keys outlive the thread
        std::vector<QString> made(4); // one element per thread, no shared container state
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; ++i)
            threads.emplace_back([&made, i] {
                char buffer[8] = "t";
                buffer[1] = char('0' + i);
                const char(&view)[8] = buffer;
                QString last;
                for (int n = 0; n < 100; ++n)
                    last = detail::KeyArg(n % 2 ? "counter" : "total").text + detail::KeyArg(view).text;
                made[i] = last;
            });
        for (std::thread& t : threads)
            t.join();
        QCOMPARE(QList<QString>(made.begin(), made.end()),
                 (QList<QString> { QStringLiteral("countert0"), QStringLiteral("countert1"),
                                   QStringLiteral("countert2"), QStringLiteral("countert3") }));
        QCOMPARE(detail::KeyArg("counter").text, QStringLiteral("counter")); // this thread's cache is its own
    }
    void nullIsAValue()
    {
        Store s;
        s.insert(QStringLiteral("z"), QVariant());
        QVERIFY(s.contains(QStringLiteral("z")));
        QVERIFY(s.find(QStringLiteral("z")) != nullptr);
        QVERIFY(s.find(QStringLiteral("missing")) == nullptr);
    }
    void removeReindexes()
    {
        Store s { { QStringLiteral("a"), 1 }, { QStringLiteral("b"), 2 }, { QStringLiteral("c"), 3 } };
        QVERIFY(s.remove(QStringLiteral("a")));
        QVERIFY(!s.remove(QStringLiteral("a")));
        QCOMPARE(s.value(QStringLiteral("c")).toInt(), 3);
        *s.findMutable(QStringLiteral("c")) = 30;
        QCOMPARE(s.entries().last().second.toInt(), 30);
        s.insert(QStringLiteral("a"), 9);
        QCOMPARE(s.keys().last(), QStringLiteral("a"));
    }
    void copiesAreIndependent()
    {
        Store s { { QStringLiteral("a"), 1 } };
        Store copy = s;
        copy.insert(QStringLiteral("a"), 2);
        copy.insert(QStringLiteral("b"), 3);
        QCOMPARE(s.value(QStringLiteral("a")).toInt(), 1);
        QVERIFY(!s.contains(QStringLiteral("b")));
        QVERIFY(!(s == copy));
    }
    void everyWriteToACopyLeavesTheOriginal()
    {
        // The store is shared as a whole: each kind of write must unshare it first.
        const Store original { { QStringLiteral("a"), 1 }, { QStringLiteral("b"), 2 } };
        Store written = original;
        *written.findMutable(QStringLiteral("a")) = 10;
        Store removed = original;
        QVERIFY(removed.remove(QStringLiteral("a")));
        Store cleared = original;
        cleared.clear();
        Store hinted = original;
        qsizetype hint = 1;
        hinted.insert(QStringLiteral("b"), QVariant(20), hint);
        QCOMPARE(original.entries(),
                 (QList<std::pair<QString, QVariant>> { { QStringLiteral("a"), 1 }, { QStringLiteral("b"), 2 } }));
        QCOMPARE(written.value(QStringLiteral("a")).toInt(), 10);
        QCOMPARE(removed.keys(), QStringList { QStringLiteral("b") });
        QCOMPARE(removed.value(QStringLiteral("b")).toInt(), 2);
        QVERIFY(cleared.isEmpty());
        QVERIFY(!cleared.contains(QStringLiteral("a")));
        QCOMPARE(hinted.value(QStringLiteral("b")).toInt(), 20);
        // a lookup that misses hands out nothing and unshares nothing
        Store missed = original;
        QVERIFY(missed.findMutable(QStringLiteral("z")) == nullptr);
        QVERIFY(missed == original);
    }
    void copiesTakenWhileGrowingStayApart()
    {
        // Values live in the store's block: growing moves them, a copy's write copies them.
        // Values that own memory (strings, lists) show a lost or doubly freed one under ASan.
        Store s;
        std::vector<Store> copies;
        for (int i = 0; i < 200; ++i) {
            s.insert(QStringLiteral("k%1").arg(i), QVariant(QStringLiteral("value %1").arg(i)));
            if (i % 37 == 0) copies.push_back(s);
        }
        for (std::size_t c = 0; c < copies.size(); ++c) {
            Store& copy = copies[c];
            QCOMPARE(copy.size(), qsizetype(c * 37 + 1));
            copy.insert(QStringLiteral("k0"), QVariantList { 1, 2 });
            QVERIFY(copy.remove(QStringLiteral("k1")) == (c > 0));
            copy.insert(QStringLiteral("own"), int(c));
        }
        QCOMPARE(s.size(), 200);
        QCOMPARE(s.value(QStringLiteral("k0")).toString(), QStringLiteral("value 0"));
        QCOMPARE(s.value(QStringLiteral("k1")).toString(), QStringLiteral("value 1"));
        QCOMPARE(s.value(QStringLiteral("k199")).toString(), QStringLiteral("value 199"));
        QVERIFY(!s.contains(QStringLiteral("own")));
        QCOMPARE(copies.back().value(QStringLiteral("k0")).toList().size(), 2);
        QCOMPARE(copies.back().keys().last(), QStringLiteral("own"));
        QCOMPARE(copies.back().value(QStringLiteral("k185")).toString(), QStringLiteral("value 185"));
        while (s.size() > 0) // removing from the front moves every value left
            QVERIFY(s.remove(s.keys().first()));
        QVERIFY(s.isEmpty());
        s.insert(QStringLiteral("again"), 1);
        QCOMPARE(s.entries(), (QList<std::pair<QString, QVariant>> { { QStringLiteral("again"), 1 } }));
    }
    void emptyStoresAreEqualHowEverTheyCameToBe()
    {
        Store never;
        Store emptied { { QStringLiteral("a"), 1 } };
        QVERIFY(emptied.remove(QStringLiteral("a")));
        Store cleared { { QStringLiteral("a"), 1 } };
        cleared.clear();
        QVERIFY(never == emptied);
        QVERIFY(emptied == cleared);
        QVERIFY(never.isEmpty() && emptied.isEmpty() && cleared.isEmpty());
        QCOMPARE(never.size(), 0);
        QVERIFY(never.keys().isEmpty() && never.entries().isEmpty() && never.toMap().isEmpty());
        QVERIFY(never.find(QStringLiteral("a")) == nullptr);
        qsizetype hint = 0;
        QVERIFY(never.find(QStringLiteral("a"), hint) == nullptr);
        QVERIFY(!(never == Store { { QStringLiteral("a"), 1 } }));
    }
    void hintsAreCheckedNotTrusted()
    {
        Store s;
        qsizetype hint = 12345; // any value will do
        s.insert(QStringLiteral("a"), QVariant(1), hint);
        QCOMPARE(hint, 0);
        s.insert(QStringLiteral("b"), QVariant(2), hint);
        s.insert(QStringLiteral("c"), QVariant(3), hint);
        QCOMPARE(hint, 2);
        hint = 2; // c's position, asked for a
        QCOMPARE(s.find(QStringLiteral("a"), hint)->toInt(), 1);
        QCOMPARE(hint, 0);
        hint = -7;
        QCOMPARE(s.find(QStringLiteral("b"), hint)->toInt(), 2);
        QCOMPARE(hint, 1);
        QVERIFY(s.remove(QStringLiteral("a"))); // positions move: every hint kept is stale
        hint = 2;
        QCOMPARE(s.find(QStringLiteral("c"), hint)->toInt(), 3);
        QCOMPARE(hint, 1);
        hint = 0;
        QCOMPARE(s.find(QStringLiteral("a"), hint), nullptr);
        s.insert(QStringLiteral("b"), QVariant(20), hint); // hint 0 is right for b now
        QCOMPARE(s.value(QStringLiteral("b")).toInt(), 20);
        QCOMPARE(s.keys(), (QStringList { QStringLiteral("b"), QStringLiteral("c") }));
    }
    void keysOutliveTheStringsTheyCameFrom()
    {
        // the index views its keys' text: the store's own copies must keep it alive, whoever
        // gave the key and whichever copy of the store lets go first (ASan checks the reads)
        Store copy;
        {
            Store s;
            for (int i = 0; i < 100; ++i)
                s.insert(QString::number(i).repeated(3), i); // a heap string, gone after the call
            copy = s;
            copy.insert(QStringLiteral("extra"), -1);
            QVERIFY(s.remove(QStringLiteral("000")));
        }
        for (int i = 0; i < 100; ++i)
            QCOMPARE(copy.value(QString::number(i).repeated(3)).toInt(), i);
        QVERIFY(copy.remove(QStringLiteral("505050")));
        QCOMPARE(copy.value(QStringLiteral("999999")).toInt(), 99);
        QCOMPARE(copy.value(QStringLiteral("extra")).toInt(), -1);
        QCOMPARE(copy.size(), 100);
    }
    void manyKeys()
    {
        Store s;
        for (int i = 0; i < 10000; ++i)
            s.insert(QStringLiteral("k%1").arg(i), i);
        QCOMPARE(s.value(QStringLiteral("k9999")).toInt(), 9999);
        QCOMPARE(s.keys().first(), QStringLiteral("k0"));
        QCOMPARE(s.toMap().size(), 10000);
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
