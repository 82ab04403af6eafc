// The trace codec's field lists (engine/src/trace/tracerecords.h): every record type written
// through its list and read back through the same list, byte for byte, and each reader check
// failing at its own field. A unit test of the codec's internals, so it sees the trace
// subsystem's private headers.

#include "scenario.h"

#include <doeff/trace.h>

#include "traceencoder.h"
#include "tracerecords.h"

#include <QtTest>

#include <numeric>

using namespace doeff;
using namespace scenario;
using namespace Qt::StringLiterals;

class TestTraceCodec : public QObject {
    Q_OBJECT

private Q_SLOTS:

    /// Every record that is not an event goes through its field list with Put and back with
    /// Get: the same record, all bytes used, and the same bytes when written again.
    void recordsRoundTripThroughTheirFieldLists()
    {
        using namespace doeff::trace;
        MirrorTables tables;
        tables.addString("a.cpp");
        tables.addString("f");
        const auto roundTrip = [&](const auto& r, auto fields) {
            std::decay_t<decltype(r)> back {};
            Writer w;
            trace::Put<MirrorTables> put(w, tables);
            put.record(r, fields);
            Cursor c(w.data(), w.data() + w.size(), 0);
            trace::Get get(c, tables);
            get.record(back, fields);
            [&] { QVERIFY2(c.atEnd(), "a field list reads what it writes"); }();
            Writer again;
            trace::Put<MirrorTables> put2(again, tables);
            put2.record(back, fields);
            [&] { QCOMPARE(again.toByteArray(), w.toByteArray()); }();
            return back;
        };
        constexpr quint64 maxU64 = std::numeric_limits<quint64>::max();
        constexpr int minInt = std::numeric_limits<int>::min();
        constexpr int maxInt = std::numeric_limits<int>::max();

        const BlockHeader block { maxU64, std::numeric_limits<quint32>::max(), maxU64 - 1 };
        const BlockHeader blockBack = roundTrip(block, blockHeaderFields);
        QCOMPARE(blockBack.firstEvent, block.firstEvent);
        QCOMPARE(blockBack.count, block.count);
        QCOMPARE(blockBack.baseStep, block.baseStep);

        for (const Location& l : { Location { -1, 0, -1 }, Location { 0, minInt, 1 }, Location { 1, maxInt, -1 } }) {
            const Location back = roundTrip(l, locationFields);
            QCOMPARE(back.file, l.file);
            QCOMPARE(back.line, l.line);
            QCOMPARE(back.function, l.function);
            QVERIFY(locationIdsValid(back, tables.stringCount()));
        }
        QVERIFY(!locationIdsValid(Location { 2, 0, -1 }, 2));

        const QByteArray longBytes(100000, 'x');
        QCOMPARE(roundTrip(longBytes, stringEntryFields), longBytes);

        const FileHeader header;
        QCOMPARE(roundTrip(header, fileHeaderFields).version, formatVersion);
        Writer headerBytes;
        InlineStrings inlineStrings;
        trace::Put<InlineStrings>(headerBytes, inlineStrings).record(header, fileHeaderFields);
        QCOMPARE(headerBytes.toByteArray(), QByteArray("\x04\x00\x10\x00\x00\x00\x00\x00", 8));

        const FrameHeader frame { 5, frameCompressed, 0, 0xfffffffeu, 0x12345678u };
        const FrameHeader frameBack = roundTrip(frame, frameHeaderFields);
        QCOMPARE(frameBack.type, frame.type);
        QCOMPARE(frameBack.flags, frameCompressed);
        QCOMPARE(frameBack.length, frame.length);
        QCOMPARE(frameBack.crc, frame.crc);

        Footer footer;
        footer.eventCount = maxU64;
        footer.indexOffset = 16;
        footer.indexSize = 1;
        footer.indexCrc = 0xffffffffu;
        Writer footerBytes;
        footerBytes.putBytes(footerMagic, 8);
        trace::Put<MirrorTables>(footerBytes, tables).record(footer, footerFields);
        footerBytes.putBytes(endMagic, 8);
        QCOMPARE(footerBytes.size(), size_t(footerSize));
        Cursor fc(footerBytes.data() + 8, footerBytes.data() + footerSize, 8);
        Footer footerBack;
        trace::Get(fc, tables).record(footerBack, footerFields);
        QCOMPARE(footerBack.eventCount, maxU64);
        QCOMPARE(footerBack.indexCrc, 0xffffffffu);
        QCOMPARE(footerBack.crc, crc32(footerBytes.data(), 68)); // the reader's footer check
        QCOMPARE(fc.pos(), quint64(footerSize - 8));

        const IndexFrame indexFrame { maxU64, 0, 1 };
        QCOMPARE(roundTrip(indexFrame, indexFrameFields).offset, maxU64);
        const IndexBlock indexBlock { 1, 2, 3, 4, maxU64 };
        const IndexBlock indexBlockBack = roundTrip(indexBlock, indexBlockFields);
        QCOMPARE(indexBlockBack.firstEvent, 2u);
        QCOMPARE(indexBlockBack.baseStep, 4u);
        QCOMPARE(indexBlockBack.lastStep, maxU64);
        const IndexCheckpoint indexCheckpoint { 1, 2, 3, 4, 5, maxU64 };
        const IndexCheckpoint indexCheckpointBack = roundTrip(indexCheckpoint, indexCheckpointFields);
        QCOMPARE(indexCheckpointBack.deltaOffset, 3u);
        QCOMPARE(indexCheckpointBack.stateOffset, 4u);
        QCOMPARE(indexCheckpointBack.logs, 5u);
        QCOMPARE(indexCheckpointBack.nodes, maxU64);
        const std::pair<QString, QString> meta { u"a.cpp"_s, QString(5000, u'é') };
        QCOMPARE(roundTrip(meta, metadataFields), meta);

        const SessionLogEntry log { maxU64, minInt, QVariantList { 1, u"f"_s } };
        const SessionLogEntry logBack = roundTrip(log, logEntryFields);
        QCOMPARE(logBack.step, log.step);
        QCOMPARE(logBack.task, log.task);
        QCOMPARE(logBack.message, log.message);

        SessionTreeNode plain;
        SessionTreeNode flagged;
        flagged.parent = maxInt;
        flagged.display = u"f"_s;
        flagged.effect = true;
        flagged.error = true;
        flagged.task = minInt;
        flagged.count = maxInt;
        flagged.more = maxInt;
        for (const SessionTreeNode& n : { plain, flagged }) {
            const SessionTreeNode back = roundTrip(n, treeNodeFields);
            QCOMPARE(back.parent, n.parent);
            QCOMPARE(back.display, n.display);
            QCOMPARE(back.effect, n.effect);
            QCOMPARE(back.error, n.error);
            QCOMPARE(back.task, n.task);
            QCOMPARE(back.count, n.count);
            QCOMPARE(back.more, n.more);
        }
        for (const TreePatch& p : { TreePatch { 0, 0, false, 0 }, TreePatch { 6, minInt, true, 1 } }) {
            const TreePatch back = roundTrip(p, treePatchFields(7));
            QCOMPARE(back.id, p.id);
            QCOMPARE(back.count, p.count);
            QCOMPARE(back.error, p.error);
            QCOMPARE(back.more, p.more);
        }

        SessionTask task;
        task.id = maxInt;
        task.name = u"a.cpp"_s;
        task.kind = TaskKindCode::Branch;
        task.parent = minInt;
        task.state = TaskStateCode::Cancelled;
        task.steps = maxU64;
        task.storeOwner = -1;
        task.outcome = QString(2000, u'o');
        task.env = QVariantMap { { u"k"_s, QVariantMap { { u"nested"_s, 1.5 } } } };
        task.k.append(SessionFrame { FrameKindCode::Convert, u"d"_s, u"a.cpp"_s, minInt, u"f"_s, maxInt });
        task.k.append(SessionFrame());
        const SessionTask taskBack = roundTrip(task, taskFields);
        QCOMPARE(taskBack.id, task.id);
        QCOMPARE(taskBack.name, task.name);
        QCOMPARE(taskBack.kind, task.kind);
        QCOMPARE(taskBack.parent, task.parent);
        QCOMPARE(taskBack.state, task.state);
        QCOMPARE(taskBack.steps, task.steps);
        QCOMPARE(taskBack.storeOwner, task.storeOwner);
        QCOMPARE(taskBack.outcome, task.outcome);
        QCOMPARE(taskBack.env, task.env);
        QCOMPARE(taskBack.k.size(), 2);
        QCOMPARE(taskBack.k[0].kind, FrameKindCode::Convert);
        QCOMPARE(taskBack.k[0].file, u"a.cpp"_s);
        QCOMPARE(taskBack.k[0].line, minInt);
        QCOMPARE(taskBack.k[0].node, maxInt);
        QCOMPARE(taskBack.k[1].node, -1);

        const std::pair<int, Store> store { -3, Store { { u"k"_s, 1 }, { u"a.cpp"_s, QVariant() } } };
        const std::pair<int, Store> storeBack = roundTrip(store, storeFields);
        QCOMPARE(storeBack.first, -3);
        QCOMPARE(storeBack.second.entries(), store.second.entries());
    }

    /// Values the reader refuses where the list declares them: each check sits at its field.
    void recordFieldChecksFailWhereTheFieldIs()
    {
        using namespace doeff::trace;
        MirrorTables tables;
        const auto failure = [&](const QByteArray& bytes, auto fields, auto record) {
            const auto* p = reinterpret_cast<const quint8*>(bytes.constData());
            Cursor c(p, p + bytes.size(), 100);
            try {
                trace::Get(c, tables).record(record, fields);
            } catch (const DecodeError& e) {
                return e.message();
            }
            return u"no error"_s;
        };
        // tree node: parent 0, display "" inline, flags 8
        QCOMPARE(failure(QByteArray("\x00\x01\x08", 3), treeNodeFields, SessionTreeNode()),
                 u"bad tree node flags at byte 103"_s);
        // flag 4 with a count of 0 unrecorded children
        QCOMPARE(failure(QByteArray("\x00\x01\x04\x00\x02\x00", 6), treeNodeFields, SessionTreeNode()),
                 u"bad count of unrecorded children 0 at byte 106"_s);
        QCOMPARE(failure(QByteArray("\x07\x02\x00", 3), treePatchFields(7), TreePatch()),
                 u"tree patch of unknown node 7 at byte 101"_s);
        QCOMPARE(failure(QByteArray("\x07", 1), treePatchFields(8), TreePatch()), u"truncated at byte 101"_s);
        // task kind past Branch
        QCOMPARE(failure(QByteArray("\x00\x01\x09", 3), taskFields, SessionTask()), u"bad task kind 9 at byte 103"_s);
        // index: a frame count larger than the bytes left
        QCOMPARE(failure(
                     QByteArray("\x05\x00", 2), [](auto& io, auto& v) { io.list(v, "string", 3, indexFrameFields); },
                     std::vector<IndexFrame>()),
                 u"string count 5 exceeds the 1 bytes left at byte 101"_s);
        // event header: kind 0, and a step delta that overflows the previous step
        QCOMPARE(failure(QByteArray("\x00", 1), recordHeadFields(0, 0), RecordHead()),
                 u"unknown event kind 0 at byte 101"_s);
        QCOMPARE(failure(QByteArray("\x41\x02", 2), recordHeadFields(0, std::numeric_limits<quint64>::max() - 1),
                         RecordHead()),
                 u"step number overflows at byte 102"_s);
        QCOMPARE(failure(QByteArray("\x81\x00", 2), recordHeadFields(0, 0), RecordHead()),
                 u"bad location id 0 at byte 102"_s);
        QCOMPARE(failure(QByteArray("\x40", 1), eventBodyFields(), Event()), u"unknown field flags 0x40 at byte 101"_s);
    }

    /// Events through the recorder's encoder and back through the reader's decoder: every
    /// field, in both record forms, with absent fields, extreme values, negative deltas,
    /// back-references and the longest interned string; encoding the decoded events again
    /// gives the same block.
    void eventRecordsRoundTrip()
    {
        using namespace doeff::trace;
        static const char file[] = "records.cpp";
        static const char function[] = "roundTrip()";
        constexpr int minInt = std::numeric_limits<int>::min();
        constexpr int maxInt = std::numeric_limits<int>::max();
        QVariantMap big;
        for (int i = 0; i < 8; ++i)
            big.insert(u"key%1"_s.arg(i), i);
        const auto event = [](EventKind kind, quint64 step, int task) {
            Event e;
            e.kind = kind;
            e.step = step;
            e.task = task;
            return e;
        };
        QList<Event> in;
        Event e = event(EventKind::RunStarted, 0, 0);
        e.name = u"prog"_s;
        e.value = big;
        in.append(e);
        e = event(EventKind::Step, 1, 0); // compact, implied delta 1
        e.index = 5;
        e.code = 3;
        e.file = file;
        e.line = 7;
        e.function = function;
        in.append(e);
        e = event(EventKind::Step, 1, 0); // compact, delta 0, K depth down by 3
        e.index = 2;
        in.append(e);
        e = event(EventKind::Step, 2, -7); // generic (code 4), lowest K depth
        e.index = minInt;
        e.code = 4;
        in.append(e);
        e = event(EventKind::Step, 3, -7); // compact, K depth up by 2^32 - 1
        e.index = maxInt;
        e.code = 1;
        in.append(e);
        // strings are interned from their second occurrence: `big`'s keys are written in place
        // in the RunStarted, interned here, and the next `big` repeats this encoding
        e = event(EventKind::StoreReplaced, 4, 0);
        e.value = big;
        e.name = QString(maxInternedString, u'n'); // in place, the first time
        in.append(e);
        e = event(EventKind::EffectYielded, quint64(1) << 62, maxInt);
        e.name = QString(maxInternedString, u'n'); // interned, the second time
        e.text = QString(maxInternedString + 1, u't'); // in place: too long to intern
        e.value = big; // a back-reference to the StoreReplaced's
        e.old = qlonglong(std::numeric_limits<qint64>::min());
        e.line = -5;
        in.append(e);
        in.append(event(EventKind::TaskSpawned, quint64(1) << 62, 0)); // every field absent
        e = event(EventKind::RunFinished, std::numeric_limits<quint64>::max(), 0);
        e.code = minInt;
        e.index = maxInt;
        e.old = QVariant::fromValue(nullptr);
        in.append(e);

        const auto encode = [](const QList<Event>& events) {
            Encoder encoder;
            QString error;
            for (const Event& x : events)
                [&] { QVERIFY2(encoder.encode(x, error), qPrintable(error)); }();
            return encoder.takeBlock();
        };
        const std::unique_ptr<Chunk> chunk = encode(in);
        QCOMPARE(chunk->count, quint32(in.size()));
        QVERIFY(chunk->payload.contains(char(TagBackRef)));
        // the location's file and function, and the eight keys and the long name, each seen
        // twice; the too long text and the program name, seen once, are not in the table
        QCOMPARE(chunk->strings.size(), size_t(2 + 9));
        MirrorTables tables;
        for (const QByteArray& b : chunk->strings)
            tables.addString(b);
        for (const Location& l : chunk->locations)
            tables.addLocation(l);
        for (const bool reduceOnly : { false, true }) {
            const auto* p = reinterpret_cast<const quint8*>(chunk->payload.constData());
            Cursor c(p, p + chunk->payload.size(), 0);
            trace::Get get(c, tables);
            BlockHeader header;
            get.record(header, blockHeaderFields);
            QCOMPARE(header.count, chunk->count);
            EventDecoder decoder(c, tables, header.firstEvent, header.baseStep);
            decoder.setReduceOnly(reduceOnly);
            QList<Event> out;
            while (!decoder.atEnd())
                decoder.next(out.emplace_back());
            QCOMPARE(out.size(), in.size());
            for (qsizetype i = 0; i < in.size(); ++i) {
                const Event& a = in[i];
                const Event& b = out[i];
                QCOMPARE(b.kind, a.kind);
                QCOMPARE(b.step, a.step);
                QCOMPARE(b.task, a.task);
                QCOMPARE(b.index, a.index);
                QCOMPARE(b.code, a.code);
                QCOMPARE(b.name, a.name);
                QCOMPARE(b.text, a.text);
                QCOMPARE(b.line, a.line);
                QCOMPARE(QByteArray(b.file), QByteArray(a.file));
                QCOMPARE(QByteArray(b.function), QByteArray(a.function));
                if (!reduceOnly || a.kind == EventKind::RunStarted) {
                    QCOMPARE(b.value, a.value);
                    QCOMPARE(b.old, a.old);
                }
            }
            if (!reduceOnly) QCOMPARE(encode(out)->payload, chunk->payload);
        }
    }

    /// Checkpoint frames: a state written as two delta frames (the second with patches of
    /// every earlier node) and a state frame reads back as the same state, whose frames are
    /// the same bytes.
    void checkpointRecordsRoundTrip()
    {
        using namespace doeff::trace;
        struct States final : Observer {
            std::vector<SessionState> states { SessionState() };
            void onRecord(const Event& e, const RunView&) override
            {
                states.push_back(states.back());
                states.back().apply(e);
            }
        } live;
        RunOptions ro;
        ro.clock = Clock::Simulated;
        ro.observers = { &live };
        auto r = runWith(int(Runner::Sync), checkpointWork(3), sync_handlers_preset(), Env { { u"k"_s, u"E"_s } },
                         Store { { u"n"_s, 0 } }, ro);
        QVERIFY2(r.is_ok(), qPrintable(r.format()));
        const SessionState& middle = live.states[live.states.size() / 2];
        const SessionState& last = live.states.back();
        QVERIFY(middle.tree().size() > 1);
        QVERIFY(last.tree().size() > middle.tree().size());
        QVERIFY(!last.logs().isEmpty());

        MirrorTables tables;
        tables.addString("n");
        const auto frames = [&](const SessionState& s1, const SessionState& s2) {
            Writer d1;
            Writer d2;
            Writer state;
            writeCheckpointDelta(d1, s1, CheckpointMarks(), {}, tables);
            CheckpointMarks marks { s1.logs().size(), s1.tree().size() };
            std::vector<int> patched(s1.tree().size());
            std::iota(patched.begin(), patched.end(), 0);
            writeCheckpointDelta(d2, s2, marks, patched, tables);
            writeCheckpointState(state, s2, tables);
            return QByteArrayList { d1.toByteArray(), d2.toByteArray(), state.toByteArray() };
        };
        const QByteArrayList written = frames(middle, last);
        SessionState back;
        CheckpointMarks marks;
        std::vector<int> parents;
        for (int i = 0; i < 2; ++i) {
            const auto* p = reinterpret_cast<const quint8*>(written[i].constData());
            Cursor c(p, p + written[i].size(), 0);
            readCheckpointDelta(c, tables, back, marks, parents);
        }
        linkTree(back, parents);
        const auto* p = reinterpret_cast<const quint8*>(written[2].constData());
        Cursor c(p, p + written[2].size(), 0);
        readCheckpointState(c, tables, back, marks);
        QCOMPARE(back.eventCount(), last.eventCount());
        QCOMPARE(back.step(), last.step());
        QCOMPARE(back.finished(), last.finished());
        QCOMPARE(back.status(), last.status());
        QCOMPARE(back.tasks().size(), last.tasks().size());
        QCOMPARE(back.logs().size(), last.logs().size());
        QCOMPARE(back.tree().size(), last.tree().size());
        for (size_t i = 0; i < last.tree().size(); ++i) {
            QCOMPARE(back.tree()[i].children, last.tree()[i].children);
            QCOMPARE(back.tree()[i].count, last.tree()[i].count);
        }
        // the state read back writes the same frames (its first delta up to the middle's marks)
        SessionState firstPart = back;
        Writer again;
        writeCheckpointState(again, back, tables);
        QCOMPARE(again.toByteArray(), written[2]);
        Writer delta2;
        std::vector<int> patched(size_t(middle.tree().size()));
        std::iota(patched.begin(), patched.end(), 0);
        writeCheckpointDelta(delta2, back, CheckpointMarks { middle.logs().size(), middle.tree().size() }, patched,
                             tables);
        QCOMPARE(delta2.toByteArray(), written[1]);
    }

private:
    static Program<int> checkpointLeaf(int i)
    {
        const int v = co_await Get<int>("n");
        co_await Put("n", v + 1);
        co_await Tell(u"leaf %1"_s.arg(i));
        co_return v;
    }
    static Program<int> checkpointWork(int n)
    {
        int total = 0;
        for (int i = 0; i < n; ++i) {
            const int v = co_await Get<int>("n");
            co_await Put("n", v + i);
            co_await Tell(u"step %1"_s.arg(i));
            QVariant k = co_await Ask("k");
            Task<int> t = co_await Spawn(checkpointLeaf(i));
            total += co_await Wait(t);
            Q_UNUSED(k);
        }
        co_return total;
    }
};

QTEST_GUILESS_MAIN(TestTraceCodec)
#include "tst_tracecodec.moc"
