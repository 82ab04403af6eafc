// The documentation's C++ is real: every ```cpp block in README.md and docs/*.md is the marked
// region of a file in docs/snippets/ (compiled into this test), and each snippet prints what
// the docs say it prints; or, marked `<!-- example: NAME -->`, the `[example NAME]` region of
// examples/documented.cpp (compiled into the example library, run by tst_examples).

#include "files.h"
#include "snippets.h"

#include <QDir>
#include <QRegularExpression>
#include <QtTest>

using namespace Qt::StringLiterals;
using testcommon::readText;

class TestDocs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void snippetsPrintWhatTheDocsSay()
    {
        QVERIFY(snippetChecks().size() >= 6);
        for (const SnippetCheck& c : snippetChecks())
            QVERIFY2(c.actual() == QString::fromUtf8(c.expected),
                     qPrintable(QString::fromUtf8(c.name) + u": "_s + c.actual()));
    }
    void everyCppBlockIsACompiledSnippet()
    {
        const QString root = QStringLiteral(DOEFF_SOURCE_DIR);
        QStringList docs { root + u"/README.md"_s };
        for (const QString& f : QDir(root + u"/docs"_s).entryList({ u"*.md"_s }, QDir::Files))
            docs.append(root + u"/docs/"_s + f);
        static const QRegularExpression block(u"(<!-- (snippet|example): (\\w+) -->\\n)?```cpp\\n(.*?)```"_s,
                                              QRegularExpression::DotMatchesEverythingOption);
        const QString examples = readText(root + u"/examples/documented.cpp"_s);
        static const QRegularExpression region(u"// \\[snippet\\]\\n(.*?)// \\[/snippet\\]\\n"_s,
                                               QRegularExpression::DotMatchesEverythingOption);
        int checked = 0;
        for (const QString& doc : docs) {
            const QString text = readText(doc);
            QVERIFY2(!text.isEmpty(), qPrintable(doc));
            for (auto it = block.globalMatch(text); it.hasNext();) {
                const auto m = it.next();
                const QString name = m.captured(3);
                QVERIFY2(!name.isEmpty(),
                         qPrintable(doc + u": a ```cpp block without a snippet marker:\n"_s + m.captured(4).left(200)));
                if (m.captured(2) == u"example"_s) {
                    const QString marker = u"// [example "_s + name + u"]\n"_s;
                    const qsizetype from = examples.indexOf(marker);
                    const qsizetype to = examples.indexOf(u"// [/example]\n"_s, from);
                    QVERIFY2(from >= 0 && to > from, qPrintable(u"examples/documented.cpp has no example "_s + name));
                    QVERIFY2(examples.mid(from + marker.size(), to - from - marker.size()) == m.captured(4),
                             qPrintable(doc + u": example '"_s + name + u"' differs from examples/documented.cpp"_s));
                    ++checked;
                    continue;
                }
                const QString source = readText(root + u"/docs/snippets/"_s + name + u".cpp"_s);
                const auto r = region.match(source);
                QVERIFY2(r.hasMatch(), qPrintable(u"docs/snippets/"_s + name + u".cpp has no [snippet] region"_s));
                QVERIFY2(
                    r.captured(1) == m.captured(4),
                    qPrintable(doc + u": block '"_s + name + u"' differs from docs/snippets/"_s + name + u".cpp"_s));
                ++checked;
            }
        }
        QVERIFY(checked >= 6);
    }
};

QTEST_GUILESS_MAIN(TestDocs)
#include "tst_docs.moc"
