#include "sourcelines.h"

#include <QFile>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace doeff::dap {

const QList<int>& SourceLines::lines(const QString& path)
{
    auto it = m_cache.find(path);
    if (it != m_cache.end()) return *it;
    QList<int> found;
    QFile file(path);
    if (file.open(QIODevice::ReadOnly | QIODevice::Text) && file.size() < 16 * 1024 * 1024) {
        static const QRegularExpression stop(u"\\b(co_await|co_yield|co_return|throw)\\b"_s);
        int number = 0;
        bool inComment = false;
        while (!file.atEnd()) {
            ++number;
            QString line = QString::fromUtf8(file.readLine());
            // drop comments, so that a word in one is not a stop
            if (inComment) {
                const qsizetype end = line.indexOf(u"*/"_s);
                if (end < 0) continue;
                line = line.mid(end + 2);
                inComment = false;
            }
            if (const qsizetype c = line.indexOf(u"//"_s); c >= 0) line.truncate(c);
            if (const qsizetype c = line.indexOf(u"/*"_s); c >= 0) {
                inComment = line.indexOf(u"*/"_s, c + 2) < 0;
                line.truncate(c);
            }
            if (stop.match(line).hasMatch()) found.append(number);
        }
    }
    return *m_cache.insert(path, found);
}

int SourceLines::nearest(const QString& path, int line)
{
    const QList<int>& all = lines(path);
    if (all.isEmpty()) return 0;
    const auto at = std::lower_bound(all.cbegin(), all.cend(), line);
    return at != all.cend() ? *at : all.last();
}

} // namespace doeff::dap
