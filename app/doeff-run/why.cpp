#include "why.h"

#include <doeff/provenance.h>
#include <doeff/trace.h>

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace doeff::run {

int why(const QString& what, const QString& at, const QStringList& files, QTextStream& out, QTextStream& err)
{
    const auto usage = [&](const QString& message) {
        out.flush();
        err << "doeff-run: " << message << '\n';
        return 2;
    };
    if (files.size() != 1)
        return usage(files.isEmpty()
                         ? u"--why needs a trace file (doeff-run --why KEY [--at STEP] FILE)"_s
                         : u"--why takes one trace file, got %1: %2"_s.arg(files.size()).arg(files.join(u' ')));
    if (what.isEmpty()) return usage(u"--why needs a key (KEY, KEY@TASK, env:KEY, task:N)"_s);

    // what: [env:]key[@task] or task:N
    enum { Store, EnvKey, TaskResult } kind = Store;
    QString key = what;
    int task = 0;
    if (key.startsWith(u"task:"_s)) {
        kind = TaskResult;
        bool ok = false;
        task = key.mid(5).toInt(&ok);
        if (!ok || task < 0) return usage(u"--why task:N expects a task number, got '%1'"_s.arg(what));
    } else {
        if (key.startsWith(u"env:"_s)) {
            kind = EnvKey;
            key = key.mid(4);
        }
        const qsizetype sep = key.lastIndexOf(u'@');
        if (sep > 0) {
            bool ok = false;
            task = key.mid(sep + 1).toInt(&ok);
            if (!ok || task < 0) return usage(u"--why %1: '%2' is not a task number"_s.arg(what, key.mid(sep + 1)));
            key = key.left(sep);
        }
        if (key.isEmpty()) return usage(u"--why needs a key, got '%1'"_s.arg(what));
    }

    const QString& file = files.first();
    if (!QFileInfo(file).isFile()) return usage(u"%1: no such trace file"_s.arg(file));
    TraceReader reader;
    if (!reader.open(file)) return usage(reader.errorString());
    quint64 step = reader.stepCount();
    if (!at.isEmpty()) {
        bool ok = false;
        step = at.toULongLong(&ok);
        if (!ok) return usage(u"--at expects a step number, got '%1'"_s.arg(at));
    }
    Provenance p;
    QString error;
    if (!p.build(reader, &error)) return usage(error);

    int source = -1;
    QString subject;
    switch (kind) {
    case Store:
        source = p.storeValue(task, key, step);
        subject = u"store key '%1' of task %2 at step %3"_s.arg(key).arg(task).arg(step);
        break;
    case EnvKey:
        source = p.envValue(task, key, step);
        subject = u"env key '%1' of task %2 at step %3"_s.arg(key).arg(task).arg(step);
        break;
    case TaskResult:
        source = p.taskResult(task);
        subject = u"the result of task %1"_s.arg(task);
        break;
    }
    if (source < 0) {
        out.flush();
        err << "doeff-run: " << file << ": " << subject << " has no recorded value\n";
        return 1;
    }
    out << "why " << subject << ":\n" << p.format(p.tree(source));
    const QList<int> readers = p.readers(source);
    out << "read by " << readers.size() << (readers.size() == 1 ? " read" : " reads") << (readers.isEmpty() ? "" : ":")
        << '\n';
    for (int r : readers)
        out << "  " << p.describe(p.read(r)) << '\n';
    out.flush();
    return 0;
}

} // namespace doeff::run
