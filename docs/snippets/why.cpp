#include <doeff/trace.h>
#include <doeff/waitfor.h>

// [snippet]
// The wait-for graph of a recorded trace at a step, as text.
QString explainTrace(const QString& path, quint64 step)
{
    doeff::TraceReader reader;
    if (!reader.open(path)) return reader.errorString();
    doeff::PromiseOrigins origins; // who created each promise: one scan, reused for any step
    if (!origins.scan(reader)) return reader.errorString();
    const std::optional<doeff::WaitForGraph> graph = doeff::waitForGraphAt(reader, step, &origins);
    return graph ? graph->text() : reader.errorString();
}
// [/snippet]
