#include "lint.h"

#include <doeff/problems.h>
#include <doeff/runtimeresult.h>
#include <doeff/trace.h>

using namespace Qt::StringLiterals;

int lintFile(const QString& path, QTextStream& out, QTextStream& err)
{
    QList<doeff::Problem> problems;
    doeff::TraceReader reader;
    bool fromResult = false;
    if (reader.open(path)) {
        if (reader.recovered()) err << "doeff-run: notice: " << reader.recoveryNote() << '\n';
        QString error;
        const auto found = doeff::findProblems(reader, {}, {}, &error);
        if (!found) {
            err << "doeff-run: " << error << '\n';
            return 2;
        }
        problems = *found;
    } else {
        const QString traceError = reader.errorString();
        try {
            problems = doeff::problemsOfResult(doeff::load_result(path));
            fromResult = true;
        } catch (const doeff::ResultFileError& e) {
            err << "doeff-run: " << path << ": neither a trace nor a saved result (as a trace: " << traceError
                << "; as a result: " << e.message() << ")\n";
            return 2;
        }
    }
    int errors = 0;
    for (const doeff::Problem& p : problems) {
        if (p.severity == doeff::Severity::Error) ++errors;
        if (fromResult)
            out << doeff::severityName(p.severity) << " [" << doeff::problemKindName(p.kind) << "] " << p.message
                << '\n';
        else
            out << doeff::formatProblem(p) << '\n';
    }
    out << path << ": " << problems.size() << (problems.size() == 1 ? " problem" : " problems") << ", " << errors
        << (errors == 1 ? " error" : " errors") << (fromResult ? " (from a saved result: a trace tells more)" : "")
        << '\n';
    out.flush();
    return errors > 0 ? 1 : 0;
}
