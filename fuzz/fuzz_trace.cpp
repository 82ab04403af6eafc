// Fuzzes the trace reader (docs/trace-format.md): open, decode every event, reduce states
// through the checkpoints, and export. Checksums are not verified, so mutations reach the
// decoders instead of stopping at the CRC. Any input must give a clean error or a result.

#include <doeff/trace.h>

#include <QBuffer>
#include <QByteArray>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace doeff;
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    TraceReader reader;
    TraceReader::Options options;
    options.verifyChecksums = false;
    if (!reader.openData(bytes, QStringLiteral("fuzz.doefftrace"), options)) {
        Q_ASSERT(!reader.errorString().isEmpty());
        return 0;
    }
    (void)formatTraceSummary(reader);
    // bound the work per input: a mutated count may claim billions of events
    const quint64 events = std::min<quint64>(reader.eventCount(), 20000);
    quint64 seen = 0;
    reader.forEachEvent(0, events, [&](const Event&) {
        ++seen;
        return true;
    });
    for (const quint64 step : { quint64(0), reader.stepCount() / 2, reader.stepCount() }) {
        if (const auto state = reader.stateAt(step)) (void)formatSessionState(*state);
    }
    if (events == reader.eventCount()) {
        QBuffer json;
        json.open(QIODevice::WriteOnly);
        exportTraceJson(reader, json);
        QBuffer perfetto;
        perfetto.open(QIODevice::WriteOnly);
        exportPerfetto(reader, perfetto);
    }
    return 0;
}
