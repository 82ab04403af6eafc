#include "welcomepage.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace doeff::views {

WelcomePage::WelcomePage(QWidget* parent)
    : QWidget(parent)
    , m_examples(new QMenu(this))
    , m_guide(new QLabel(this))
{
    setObjectName(u"welcomePage"_s);
    // a readable column in the middle of a wide window
    auto* outer = new QVBoxLayout(this);
    auto* row = new QHBoxLayout;
    auto* holder = new QWidget(this);
    holder->setMaximumWidth(520);
    auto* column = new QVBoxLayout(holder);
    row->addStretch(1);
    row->addWidget(holder, 3);
    row->addStretch(1);
    outer->addStretch(1);
    outer->addLayout(row);
    outer->addStretch(2);

    auto* title = new QLabel(tr("<h2>Doeff Studio</h2>"
                                "<p>A debugger for doeff effect programs. Start with one of these:</p>"),
                             holder);
    title->setWordWrap(true);
    column->addWidget(title);

    auto* example = new QToolButton(holder);
    example->setObjectName(u"welcomeExample"_s);
    example->setText(tr("Open an Example…"));
    example->setToolTip(tr("Run a built-in example, paused at its first step"));
    example->setPopupMode(QToolButton::InstantPopup);
    example->setToolButtonStyle(Qt::ToolButtonTextOnly);
    example->setMenu(m_examples);
    example->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    column->addWidget(example);
    auto button = [this, holder, column](const QString& name, const QString& text, const QString& tip) {
        auto* b = new QPushButton(text, holder);
        b->setObjectName(name);
        b->setToolTip(tip);
        column->addWidget(b);
        return b;
    };
    connect(button(u"welcomeOpenTrace"_s, tr("Open a Trace…"), tr("A .doefftrace recorded by doeff-run --trace")),
            &QPushButton::clicked, this, &WelcomePage::openTraceRequested);
    connect(button(u"welcomeOpenLibrary"_s, tr("Open a Program Library…"),
                   tr("A shared library of your own doeff programs (.so)")),
            &QPushButton::clicked, this, &WelcomePage::openLibraryRequested);
    connect(button(u"welcomeDebugExecutable"_s, tr("Debug an Executable…"),
                   tr("A program linked with libdoeff, launched paused at its start")),
            &QPushButton::clicked, this, &WelcomePage::debugExecutableRequested);

    m_guide->setObjectName(u"welcomeGuide"_s);
    m_guide->setWordWrap(true);
    m_guide->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_guide->setOpenExternalLinks(false);
    connect(m_guide, &QLabel::linkActivated, this, [](const QString& link) { QDesktopServices::openUrl(QUrl(link)); });
    column->addWidget(m_guide);
    setGuidePath({});
}

void WelcomePage::setExamples(const QStringList& names, const QStringList& groups)
{
    m_examples->clear();
    QString group;
    for (qsizetype i = 0; i < names.size(); ++i) {
        const QString name = names.at(i);
        if (i < groups.size() && groups.at(i) != group) {
            group = groups.at(i);
            m_examples->addSection(group);
        }
        connect(m_examples->addAction(name), &QAction::triggered, this,
                [this, name] { Q_EMIT exampleRequested(name); });
    }
}

void WelcomePage::setGuidePath(const QString& path)
{
    m_guidePath = path;
    if (path.isEmpty())
        m_guide->setText(tr("The user guide is docs/guide.md in the doeff sources."));
    else {
        QString text = tr("Read the <a href=\"%1\">user guide</a> (%2)")
                           .arg(QUrl::fromLocalFile(path).toString(), path.toHtmlEscaped());
        // the Studio's own page sits beside the guide
        const QString studio = QFileInfo(path).dir().filePath(u"studio.md"_s);
        if (QFileInfo(studio).isFile())
            text += tr(" and the <a href=\"%1\">Studio's page</a>").arg(QUrl::fromLocalFile(studio).toString());
        m_guide->setText(text + u'.');
    }
}

} // namespace doeff::views
