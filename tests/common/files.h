#pragma once

// Whole-file reads and writes for the suites, and finding a marked line in a test's own source.

#include <QByteArray>
#include <QFile>
#include <QString>
#include <QStringList>

namespace testcommon {

/// The whole file; empty when it cannot be read.
inline QByteArray readBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline QString readText(const QString& path)
{
    return QString::fromUtf8(readBytes(path));
}

/// Replaces the file's content; false unless every byte was written.
inline bool writeBytes(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

/// The 1-based line of `file` (pass __FILE__) that carries the comment `// marker`; -1 when none.
inline int lineOf(const char* file, const QString& marker)
{
    const QStringList lines = readText(QString::fromUtf8(file)).split(u'\n');
    const QString comment = QStringLiteral("// ") + marker;
    for (qsizetype i = 0; i < lines.size(); ++i)
        if (lines[i].contains(comment)) return int(i + 1);
    return -1;
}

} // namespace testcommon
