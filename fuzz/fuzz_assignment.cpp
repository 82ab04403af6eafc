// Fuzzes `doeff-run --env KEY=JSON` / `--store KEY=JSON` (app/doeff-run/assignment.cpp), the
// command line's only structured input. Any input must be accepted or refused with a short
// message naming the option; an accepted value must survive being written back as JSON and read
// again (so the `[value]` wrapping the parser uses cannot be broken out of).
//
// Seeds: with DOEFF_FUZZ_WRITE_SEEDS=<dir>, the target writes assignments of every JSON kind,
// valid and not, to <dir> and exits.

#include "assignment.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using doeff::run::Assignment;
using doeff::run::parseAssignment;

namespace {

/// The value as the JSON text `--env` would take back: the one-element array's content.
QString writeBack(const QVariant& value)
{
    const QByteArray array
        = QJsonDocument(QJsonArray { QJsonValue::fromVariant(value) }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(array.mid(1, array.size() - 2));
}

void check(bool ok)
{
    if (!ok) std::abort();
}

void writeSeeds(const QString& dir)
{
    QDir().mkpath(dir);
    const char* const seeds[] = {
        "n=5",
        "s=\"text\"",
        "f=-1.25e-3",
        "b=true",
        "z=null",
        "list=[1,\"two\",[3],{\"four\":4}]",
        "obj={\"a\":{\"b\":[null,false]}}",
        "u=\"\\u00e9\\ud83d\\ude00\"",
        "bad=text",
        "=1",
        "noequals",
        "k=1],[2",
        "k=",
        "k=[1,2",
    };
    int i = 0;
    for (const char* seed : seeds) {
        QFile f(dir + QStringLiteral("/seed-%1").arg(i++));
        if (f.open(QIODevice::WriteOnly)) f.write(seed);
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    if (const char* dir = std::getenv("DOEFF_FUZZ_WRITE_SEEDS")) {
        writeSeeds(QString::fromLocal8Bit(dir));
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), qsizetype(size));
    const Assignment a = parseAssignment(QStringLiteral("env"), text);
    if (!a.ok()) {
        // refused: a message naming the option, short whatever the input's size
        check(a.error.startsWith(QLatin1String("--env ")));
        check(a.error.size() < 600); // two excerpts of the key, one of the value, the reason
        return 0;
    }
    // accepted: the key is everything before the first '=', and is not empty
    const qsizetype eq = text.indexOf(u'=');
    check(eq > 0 && a.key == text.left(eq));
    // the value written back as JSON reads back the same (after one normalising round)
    const QString once = writeBack(a.value);
    const Assignment again = parseAssignment(QStringLiteral("env"), a.key + u'=' + once);
    check(again.ok() && again.key == a.key);
    check(writeBack(again.value) == once);
    return 0;
}
