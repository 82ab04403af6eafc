// doeff-run --diff A B: the first divergence of two recorded runs and a summary of every difference.
#include <doeff/rundiff.h>
#include <doeff/trace.h>

#include <cstdio>

/// Prints the first divergence of traces `a` and `b` (or that they are equal) on stdout.
/// Returns 0 when they are equal, 1 when they differ, 2 when a file cannot be read as a trace.
int diffTraceFiles(const QString& a, const QString& b)
{
    using namespace doeff;
    TraceReader ra;
    TraceReader rb;
    for (auto [reader, path] : { std::pair { &ra, a }, std::pair { &rb, b } }) {
        if (!reader->open(path)) {
            std::fprintf(stderr, "doeff-run: %s\n", qPrintable(reader->errorString()));
            return 2;
        }
    }
    RunDiff d;
    QString error;
    if (!diffTraces(ra, rb, d, &error)) {
        std::fprintf(stderr, "doeff-run: %s\n", qPrintable(error));
        return 2;
    }
    std::fputs(formatRunDiff(d, a, b).toUtf8().constData(), stdout);
    return d.equal() ? 0 : 1;
}
