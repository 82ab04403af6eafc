#include <doeff/sourceinfo.h>

#include <QFile>
#include <QHash>
#include <QMutex>
#include <QStringList>

#include <memory>
#include <vector>

namespace doeff {

namespace {

/// A source file read once: its lines and, per closing brace, the line of its opening brace.
struct SourceFile {
    QStringList lines;
    /// (line of a '}', column) → line of the matching '{'; kept as a per-line list of the
    /// opening lines of the braces that close on that line, in column order.
    QHash<int, std::vector<int>> closers;
    bool readable = false;
};

constexpr qint64 maxSourceSize = 16 * 1024 * 1024;

void indexBraces(SourceFile& f)
{
    std::vector<int> stack;
    enum class Mode { Code, LineComment, BlockComment, String, Char, RawString };
    Mode mode = Mode::Code;
    QString rawDelimiter;
    for (int li = 0; li < f.lines.size(); ++li) {
        const QString& line = f.lines.at(li);
        if (mode == Mode::LineComment) mode = Mode::Code;
        for (qsizetype i = 0; i < line.size(); ++i) {
            const QChar c = line[i];
            const QChar next = i + 1 < line.size() ? line[i + 1] : QChar();
            switch (mode) {
            case Mode::Code:
                if (c == u'/' && next == u'/') {
                    mode = Mode::LineComment;
                    i = line.size();
                } else if (c == u'/' && next == u'*') {
                    mode = Mode::BlockComment;
                    ++i;
                } else if (c == u'R' && next == u'"' && (i == 0 || !line[i - 1].isLetterOrNumber())) {
                    const qsizetype paren = line.indexOf(u'(', i + 2);
                    rawDelimiter
                        = QStringLiteral(")") + line.mid(i + 2, paren < 0 ? 0 : paren - i - 2) + QStringLiteral("\"");
                    mode = Mode::RawString;
                    i = paren < 0 ? line.size() : paren;
                } else if (c == u'"') {
                    mode = Mode::String;
                } else if (c == u'\'' && !(i > 0 && line[i - 1].isDigit())) { // 1'000 digit separators
                    mode = Mode::Char;
                } else if (c == u'{') {
                    stack.push_back(li + 1);
                } else if (c == u'}') {
                    const int open = stack.empty() ? li + 1 : stack.back();
                    if (!stack.empty()) stack.pop_back();
                    f.closers[li + 1].push_back(open);
                }
                break;
            case Mode::LineComment:
                i = line.size();
                break;
            case Mode::BlockComment:
                if (c == u'*' && next == u'/') {
                    mode = Mode::Code;
                    ++i;
                }
                break;
            case Mode::String:
            case Mode::Char:
                if (c == u'\\')
                    ++i;
                else if ((mode == Mode::String && c == u'"') || (mode == Mode::Char && c == u'\''))
                    mode = Mode::Code;
                break;
            case Mode::RawString: {
                const qsizetype end = line.indexOf(rawDelimiter, i);
                if (end >= 0) {
                    i = end + rawDelimiter.size() - 1;
                    mode = Mode::Code;
                } else {
                    i = line.size();
                }
                break;
            }
            }
        }
        // an unterminated ordinary literal ends with its line
        if (mode == Mode::String || mode == Mode::Char) mode = Mode::Code;
    }
}

struct Cache {
    QMutex mutex;
    QHash<QString, std::shared_ptr<const SourceFile>> files;
};

Cache& cache()
{
    static Cache c;
    return c;
}

std::shared_ptr<const SourceFile> load(const QString& path)
{
    Cache& c = cache();
    {
        QMutexLocker lock(&c.mutex);
        auto it = c.files.constFind(path);
        if (it != c.files.cend()) return it.value();
    }
    auto f = std::make_shared<SourceFile>();
    QFile file(path);
    if (!path.isEmpty() && file.open(QIODevice::ReadOnly) && file.size() <= maxSourceSize) {
        const QString text = QString::fromUtf8(file.readAll());
        f->lines = text.split(u'\n');
        for (QString& l : f->lines)
            if (l.endsWith(u'\r')) l.chop(1);
        f->readable = true;
        indexBraces(*f);
    }
    QMutexLocker lock(&c.mutex);
    c.files.insert(path, f);
    return f;
}

} // namespace

QString SourceInfo::lineText(const QString& file, int line)
{
    auto f = load(file);
    if (!f->readable || line < 1 || line > f->lines.size()) return {};
    return f->lines.at(line - 1).trimmed();
}

int SourceInfo::definitionLine(const QString& file, int closingLine, const QString& displayName)
{
    auto f = load(file);
    if (!f->readable || closingLine < 1 || closingLine > f->lines.size()) return closingLine;
    auto it = f->closers.constFind(closingLine);
    if (it == f->closers.cend() || it->empty()) return closingLine;
    const int openLine = it->back();
    if (displayName == QStringLiteral("lambda")) return openLine;
    QString unqualified = displayName.section(QStringLiteral("::"), -1);
    if (unqualified.isEmpty()) return openLine;
    // nearest line at or before the opening brace naming the function, within a short window
    for (int l = openLine; l >= 1 && l > openLine - 20; --l) {
        const QString& text = f->lines.at(l - 1);
        qsizetype pos = 0;
        while ((pos = text.indexOf(unqualified, pos)) >= 0) {
            const bool startOk = pos == 0 || !(text[pos - 1].isLetterOrNumber() || text[pos - 1] == u'_');
            qsizetype after = pos + unqualified.size();
            while (after < text.size() && text[after].isSpace())
                ++after;
            const bool endOk = after < text.size() && (text[after] == u'(' || text[after] == u'<');
            if (startOk && endOk) return l;
            pos += unqualified.size();
        }
    }
    return openLine;
}

void SourceInfo::clearCache()
{
    Cache& c = cache();
    QMutexLocker lock(&c.mutex);
    c.files.clear();
}

} // namespace doeff
