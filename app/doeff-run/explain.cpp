#include "explain.h"

#include <doeff/runtimeresult.h>
#include <doeff/trace.h>
#include <doeff/waitfor.h>

using namespace Qt::StringLiterals;

int explainFile(const QString& path, std::optional<quint64> at, QTextStream& out, QTextStream& err)
{
    constexpr int ok = 0, usage = 2;
    doeff::TraceReader reader;
    if (reader.open(path)) {
        if (reader.recovered()) err << "doeff-run: notice: " << reader.recoveryNote() << '\n';
        doeff::PromiseOrigins origins;
        QString error;
        if (!origins.scan(reader, &error)) {
            err << "doeff-run: " << error << '\n';
            return usage;
        }
        std::optional<doeff::WaitForGraph> graph;
        QString when;
        if (at) {
            if (*at > reader.stepCount()) {
                err << "doeff-run: --at " << *at << " is past the trace's last step (" << reader.stepCount() << ")\n";
                return usage;
            }
            graph = doeff::waitForGraphAt(reader, *at, &origins, &error);
        } else if (origins.deadlockEvents() >= 0) {
            graph = doeff::waitForGraphAtEvent(reader, quint64(origins.deadlockEvents()), &origins, &error);
            when = u" (when the run deadlocked)"_s;
        } else {
            graph = doeff::waitForGraphAt(reader, reader.stepCount(), &origins, &error);
            when = u" (the last step)"_s;
        }
        if (!graph) {
            err << "doeff-run: " << error << '\n';
            return usage;
        }
        out << path << when << ":\n" << graph->text();
        out.flush();
        return ok;
    }
    const QString traceError = reader.errorString();
    if (at) {
        err << "doeff-run: " << traceError << " (--at needs a trace)\n";
        return usage;
    }
    try {
        const doeff::SavedResult result = doeff::load_result(path);
        const doeff::WaitForGraph graph = doeff::waitForGraphOfResult(result);
        out << path << ":\n";
        if (result.is_ok() || graph.tasks.isEmpty())
            out << "no deadlock: a saved result keeps a wait-for graph only for a deadlock; record a trace "
                   "(--trace) to see one at any step\n";
        else
            out << graph.text();
        out.flush();
        return ok;
    } catch (const doeff::ResultFileError& e) {
        err << "doeff-run: " << path << ": neither a trace nor a saved result (as a trace: " << traceError
            << "; as a result: " << e.message() << ")\n";
        return usage;
    }
}
