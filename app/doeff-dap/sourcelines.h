#pragma once

#include <QHash>
#include <QList>
#include <QString>

namespace doeff::dap {

/// Where a program can stop in a source file: the lines of its suspension points (`co_await`,
/// `co_yield`, `co_return`) and of its `throw`s, as the machine reports locations there. Read
/// once per file and kept.
class SourceLines {
public:
    /// The stoppable lines of `path`, ascending; empty when the file cannot be read.
    const QList<int>& lines(const QString& path);
    bool readable(const QString& path) { return !lines(path).isEmpty(); }
    /// The stoppable line nearest to `line`: the first at or after it, else the last before it;
    /// 0 when the file has none.
    int nearest(const QString& path, int line);

private:
    QHash<QString, QList<int>> m_cache;
};

} // namespace doeff::dap
