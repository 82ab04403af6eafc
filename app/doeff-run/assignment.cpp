#include "assignment.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace doeff::run {

QString excerpt(const QString& text)
{
    // a whole file pasted by mistake must not become a huge message
    constexpr qsizetype limit = 80;
    if (text.size() <= limit) return text;
    return text.left(limit - 1) + u'…' + u" (%1 characters)"_s.arg(text.size());
}

Assignment parseAssignment(const QString& option, const QString& text)
{
    const qsizetype eq = text.indexOf(u'=');
    if (eq <= 0) return { {}, {}, u"--%1 expects KEY=JSON, got '%2'"_s.arg(option, excerpt(text)) };
    const QString key = text.left(eq);
    const QString json = text.mid(eq + 1);
    // QJsonDocument only parses arrays and objects: wrap the value in a one-element array.
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(u"[%1]"_s.arg(json).toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != 1) {
        const QString reason = error.error != QJsonParseError::NoError
            ? u"%1 at offset %2"_s.arg(error.errorString()).arg(std::max(0, error.offset - 1))
            : u"expected exactly one value"_s;
        return { key,
                 {},
                 u"--%1 %2: '%3' is not valid JSON (%4); strings need double quotes, e.g. %2='\"text\"'"_s.arg(
                     option, excerpt(key), excerpt(json), reason) };
    }
    return { key, doc.array().first().toVariant(), {} };
}

} // namespace doeff::run
