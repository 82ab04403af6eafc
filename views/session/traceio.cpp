#include "traceio.h"

#include "studiosession.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>

namespace doeff::views {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("doeff::views::TraceIO", text);
}

constexpr quint64 ProgressEvery = 1 << 16;

QString writeEvents(const TraceSource& source, const QString& path, const Progress& progress)
{
    TraceRecorderOptions options;
    options.threaded = false;
    TraceRecorder recorder(options);
    if (!recorder.open(path)) return recorder.errorString();
    recorder.setMetadata(QStringLiteral("runner"), QStringLiteral("sync"));
    recorder.setMetadata(QStringLiteral("source"), QStringLiteral("doeff-studio live run"));
    if (!source.program.isEmpty()) recorder.setMetadata(QStringLiteral("program"), source.program);
    const quint64 total = quint64(source.events.size());
    quint64 done = 0;
    bool cancelled = false;
    QString error;
    const bool ok = source.events.forEach(
        0, source.events.size(),
        [&](const Event& e) {
            recorder.record(e);
            if (++done % ProgressEvery == 0 && progress && !progress(done, total)) {
                cancelled = true;
                return false;
            }
            return true;
        },
        &error);
    if (cancelled || !ok) {
        recorder.finish();
        QFile::remove(path);
        return cancelled ? tr("cancelled") : tr("the live events do not decode: %1").arg(error);
    }
    if (!recorder.finish()) return recorder.errorString();
    return {};
}

} // namespace

std::shared_ptr<LoadedTrace> loadTrace(const QString& path, const Progress& progress, bool recoverUnfinished)
{
    auto out = std::make_shared<LoadedTrace>();
    out->path = path;
    try {
        auto reader = std::make_unique<TraceReader>();
        TraceReader::Options options;
        options.recoverUnfinished = recoverUnfinished;
        if (!reader->open(path, options)) {
            out->error = reader->errorString();
            return out;
        }
        const quint64 total = reader->eventCount();
        quint64 done = 0;
        // The failing point: the main task's own error when it raised the one the run ended with
        // (a deadlock fails every blocked task, main among them), else the last error raised
        // (one passed on to main through a Wait raises no event of its own).
        int mainTask = 0;
        FailingPoint last;
        FailingPoint ofMain;
        const bool ok = reader->forEachEvent(0, total, [&](const Event& e) {
            out->timeline.add(e);
            if (e.kind == EventKind::TaskSpawned && TaskKindCode(e.code) == TaskKindCode::Main) mainTask = e.task;
            if (e.kind == EventKind::ErrorRaised) {
                last.task = e.task;
                last.event = done;
                last.error = e.name + QStringLiteral(": ") + e.text;
                // raised elsewhere and passed on (code 0): where, for the frame heading the K
                last.raised = e.code == 0 && e.file && e.function
                    ? RaiseSite { QString::fromUtf8(e.file), e.line, QString::fromUtf8(e.function) }
                    : RaiseSite {};
                if (e.task == mainTask) ofMain = last;
            }
            if (++done % ProgressEvery == 0 && progress && !progress(done, total)) {
                out->cancelled = true;
                return false;
            }
            return true;
        });
        if (out->cancelled) return out;
        if (!ok) {
            out->error = reader->errorString();
            return out;
        }
        out->finalState = reader->stateAt(reader->stepCount());
        if (!out->finalState) {
            out->error = reader->errorString();
            return out;
        }
        const bool mainFailedWithIt = ofMain.task >= 0 && out->finalState->finished()
            && out->finalState->status() == QStringLiteral("Err(%1)").arg(ofMain.error);
        out->result = resultFromTrace(*reader, *out->finalState, mainFailedWithIt ? ofMain : last);
        if (reader->recovered()) out->notice = reader->recoveryNote();
        out->reader = std::move(reader);
    } catch (const std::exception& e) {
        out->error = path + QStringLiteral(": ") + QString::fromUtf8(e.what());
    }
    return out;
}

FrameInfo RaiseSite::frame() const
{
    FrameInfo fi;
    fi.kind = QStringLiteral("ProgramFrame");
    // `doeff::Program<QString> {anonymous}::partner(QString, …)` → `partner`, as frames name it
    fi.function = function;
    if (const qsizetype paren = fi.function.indexOf(u'('); paren > 0) fi.function.truncate(paren);
    if (const qsizetype scope = fi.function.lastIndexOf(QStringLiteral("::")); scope >= 0)
        fi.function = fi.function.mid(scope + 2);
    if (const qsizetype space = fi.function.lastIndexOf(u' '); space >= 0) fi.function = fi.function.mid(space + 1);
    if (fi.function == QLatin1String("operator")) fi.function = QStringLiteral("<lambda>");
    fi.file = file;
    fi.line = line;
    fi.description = fi.function + QStringLiteral("() at ") + fi.file + u':' + QString::number(fi.line);
    return fi;
}

bool hasTraceMagic(const QString& path)
{
    if (!notARegularFile(path).isEmpty()) return false;
    QFile f(path);
    return f.open(QIODevice::ReadOnly) && f.read(8) == "DOEFFTRC";
}

std::optional<RuntimeResultBase> resultFromTrace(TraceReader& reader, const SessionState& finalState,
                                                 const FailingPoint& failing)
{
    const quint64 count = reader.eventCount();
    QList<Event> last;
    if (count == 0 || !reader.events(count - 1, count, last) || last.isEmpty()
        || last.first().kind != EventKind::RunFinished)
        return std::nullopt;
    const Event& finished = last.first();
    auto data = std::make_shared<detail::ResultData>();
    data->program = reader.metadata().program; // what RunStarted called it, as a live result does
    data->ok = finished.code == 1;
    data->value = finished.value;
    data->store = finalState.store(0);
    if (const SessionTask* main = finalState.task(0)) data->env = main->env;
    data->tree = finalState.effectTree();
    if (!data->ok) {
        // name: `Err(Type: message)`
        QString text = finished.name;
        if (text.startsWith(QStringLiteral("Err(")) && text.endsWith(u')')) text = text.mid(4, text.size() - 5);
        const qsizetype colon = text.indexOf(QStringLiteral(": "));
        data->error = colon < 0 ? ErrorInfo::fromText(text, QString())
                                : ErrorInfo::fromText(text.left(colon), text.mid(colon + 2));
        data->rootCause = data->error;
        const int errorTask = failing.task;
        if (errorTask >= 0) {
            // the failing task as it was when the error was raised: the state just before that
            // event (a step's later events may already have popped its frames or moved its line)
            if (const auto before = reader.stateAtEvent(failing.event)) {
                data->k.frames = before->k(errorTask);
                // the raise site heads the K, as in the live run's result (a traceback), unless
                // the task's own top frame is that very line
                const RaiseSite& raised = failing.raised;
                const bool isTop = !data->k.frames.isEmpty() && data->k.frames.first().file == raised.file
                    && data->k.frames.first().line == raised.line;
                if (!raised.isEmpty() && !isTop) data->k.frames.prepend(raised.frame());
                data->errorContext.task = errorTask;
                if (const SessionTask* t = before->task(errorTask)) {
                    data->errorContext.taskName = t->name;
                    data->errorContext.env = t->env;
                    // the failing task's store there, as the live run's result keeps it
                    data->errorContext.store = before->store(errorTask);
                    data->errorContext.storeKeys = data->errorContext.store.keys();
                    const auto append = [&](const QString& file, int line, const QString& function) {
                        SourceStackTrace::Entry entry;
                        entry.file = file;
                        entry.line = line;
                        entry.function = function;
                        entry.task = errorTask;
                        entry.taskName = t->name;
                        data->source.entries.append(entry);
                    };
                    for (const SessionFrame& f : t->k)
                        if (f.kind == FrameKindCode::Program && !f.file.isEmpty()) append(f.file, f.line, f.function);
                    // ... down to where it was raised, as the K is headed
                    if (!raised.isEmpty() && !isTop) {
                        const FrameInfo site = raised.frame();
                        append(site.file, site.line, site.function);
                    }
                }
            }
        }
    }
    return RuntimeResultBase(std::shared_ptr<const detail::ResultData>(std::move(data)));
}

QString exportTrace(const TraceSource& source, TraceFormat format, const QString& path, const Progress& progress)
{
    try {
        QString nativePath = source.file;
        QTemporaryFile temp(QDir::tempPath() + QStringLiteral("/doeff-studio-export-XXXXXX.doefftrace"));
        if (nativePath.isEmpty()) {
            QString target = path;
            if (format != TraceFormat::Native) {
                if (!temp.open()) return tr("%1: cannot create a temporary file: %2").arg(path, temp.errorString());
                target = temp.fileName();
                temp.close();
            }
            if (format == TraceFormat::Native) {
                // recorded next to the target and renamed once finished: a failed write never
                // replaces an existing file
                if (const QString problem = notARegularFile(path); !problem.isEmpty()) return problem;
                QTemporaryFile part(path + QStringLiteral(".part-XXXXXX"));
                if (!part.open()) return tr("%1: cannot create a temporary file: %2").arg(path, part.errorString());
                part.close();
                const QString error = writeEvents(source, part.fileName(), progress);
                if (!error.isEmpty()) return path + QStringLiteral(": ") + error;
                QFile::remove(path);
                if (!part.rename(path)) return tr("%1: cannot replace the file: %2").arg(path, part.errorString());
                part.setAutoRemove(false);
                return {};
            }
            const QString error = writeEvents(source, target, progress);
            if (!error.isEmpty()) return error;
            nativePath = target;
        } else if (format == TraceFormat::Native) {
            const QFileInfo from(source.file), to(path);
            if (to.exists() && from.canonicalFilePath() == to.canonicalFilePath()) return {};
            QFile in(source.file);
            if (!in.open(QIODevice::ReadOnly))
                return tr("%1: cannot copy %2: %3").arg(path, source.file, in.errorString());
            QString error;
            writeFileAtomically(
                path,
                [&](QIODevice& out, QString& reason) {
                    while (!in.atEnd()) {
                        const QByteArray chunk = in.read(1 << 20);
                        if (chunk.isEmpty() || out.write(chunk) != chunk.size()) {
                            reason = chunk.isEmpty() ? in.errorString() : out.errorString();
                            return false;
                        }
                    }
                    return true;
                },
                &error);
            return error;
        }
        TraceReader reader;
        if (!reader.open(nativePath)) return reader.errorString();
        QString error;
        writeFileAtomically(
            path,
            [&](QIODevice& out, QString& reason) {
                return format == TraceFormat::Json ? exportTraceJson(reader, out, &reason)
                                                   : exportPerfetto(reader, out, &reason);
            },
            &error);
        return error;
    } catch (const std::exception& e) {
        return path + QStringLiteral(": ") + QString::fromUtf8(e.what());
    }
}

QList<ResultTask> tasksOfResult(const RuntimeResultBase& result, const QString& mainName)
{
    QList<ResultTask> tasks;
    auto add = [&tasks](int id, const QString& name, TaskStateCode state, const QString& outcome) {
        for (ResultTask& t : tasks)
            if (t.id == id) {
                if (t.name.isEmpty()) t.name = name;
                return;
            }
        tasks.append({ id, name, state, outcome });
    };
    const ErrorContext& context = result.error_context();
    QString name = mainName.isEmpty() ? QStringLiteral("main") : mainName;
    if (result.is_err() && context.task == 0 && !context.taskName.isEmpty()) name = context.taskName;
    add(0, name, result.is_ok() ? TaskStateCode::Done : TaskStateCode::Failed, resultSummaryText(result));
    if (result.is_err()) {
        const QString err = QStringLiteral("Err(") + result.error().describe() + u')';
        if (context.task != 0) add(context.task, context.taskName, TaskStateCode::Failed, err);
        for (const SourceStackTrace::Entry& e : result.source_stack().entries)
            add(e.task, e.taskName, TaskStateCode::Failed, err);
    }
    for (const UnobservedFailure& f : result.unobserved_failures())
        add(f.task, f.name, TaskStateCode::Failed, QStringLiteral("Err(") + f.error.describe() + u')');
    std::sort(tasks.begin(), tasks.end(), [](const ResultTask& a, const ResultTask& b) { return a.id < b.id; });
    return tasks;
}

std::vector<SessionTreeNode> flattenTree(const EffectStackTrace& tree)
{
    std::vector<SessionTreeNode> out;
    if (!tree.captured) return out;
    struct Item {
        const EffectStackTrace::Node* node;
        int parent;
    };
    std::vector<Item> stack { { &tree.root, -1 } };
    // depth-first, children in order: parents always precede their children
    while (!stack.empty()) {
        const Item it = stack.back();
        stack.pop_back();
        SessionTreeNode n;
        n.parent = it.parent;
        n.display = it.node->display;
        n.effect = it.node->isEffect;
        n.count = it.node->count;
        n.error = it.node->error;
        n.more = it.node->more;
        out.push_back(n);
        const int id = int(out.size()) - 1;
        if (it.parent >= 0) out[size_t(it.parent)].children.append(id);
        for (auto c = it.node->children.crbegin(); c != it.node->children.crend(); ++c)
            stack.push_back({ &*c, id });
    }
    return out;
}

} // namespace doeff::views
