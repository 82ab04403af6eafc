#include "effectspane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace doeff::views {

EffectsPane::EffectsPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_type(new QComboBox(this))
    , m_taskOnly(new QCheckBox(tr("Selected task"), this))
    , m_filter(new QLineEdit(this))
    , m_count(new QLabel(this))
    , m_view(makeView(this, false))
{
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(2, 0, 2, 0);
    m_type->setObjectName(u"effectsType"_s);
    m_type->setToolTip(tr("Only effects of this type"));
    m_type->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_taskOnly->setObjectName(u"effectsTaskOnly"_s);
    m_taskOnly->setToolTip(tr("Only the effects of the task selected in Tasks"));
    m_filter->setObjectName(u"effectsFilter"_s);
    m_filter->setPlaceholderText(tr("Filter effects (text in the label: a key, a value)"));
    m_filter->setClearButtonEnabled(true);
    bar->addWidget(m_type);
    bar->addWidget(m_taskOnly);
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_count);
    QVBoxLayout* layout = tightLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_view);
    m_view->setModel(&m_model);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setColumnWidth(EffectListModel::StepColumn, 80);
    m_view->setColumnWidth(EffectListModel::TaskColumn, 110);

    m_typing.setSingleShot(true);
    m_typing.setInterval(200);
    connect(&m_typing, &QTimer::timeout, this, &EffectsPane::applyFilter);
    connect(m_filter, &QLineEdit::textChanged, &m_typing, qOverload<>(&QTimer::start));
    connect(m_filter, &QLineEdit::returnPressed, this, &EffectsPane::applyFilter);
    connect(m_type, &QComboBox::currentIndexChanged, this, &EffectsPane::applyFilter);
    connect(m_taskOnly, &QCheckBox::toggled, this, &EffectsPane::applyFilter);
    connect(m_session, &StudioSession::selectedTaskChanged, this, [this] {
        if (m_taskOnly->isChecked()) applyFilter();
    });
    // a click (or the keyboard) on a row travels there; the Timeline moving moves the row
    connect(m_view, &QAbstractItemView::clicked, this, &EffectsPane::travel);
    connect(m_view, &QAbstractItemView::activated, this, &EffectsPane::travel);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& i) {
        if (!m_following && m_view->hasFocus()) travel(i);
    });
    connect(m_session, &StudioSession::refreshed, this, &EffectsPane::refresh);
    connect(m_session, &StudioSession::viewChanged, this, &EffectsPane::followView);
    connect(m_session, &StudioSession::documentOpened, this, &EffectsPane::refresh);
    refresh();
}

void EffectsPane::refresh()
{
    StateHistory* history = m_session->status() == RunStatus::Loaded ? nullptr : m_session->history();
    if (history != m_history) {
        m_history = history;
        m_model.setHistory(history);
    } else {
        m_model.update();
    }
    // the types seen so far, keeping the chosen one
    const QStringList names = m_model.effectNames();
    if (m_type->count() != names.size() + 1) {
        const QString chosen = m_type->currentIndex() > 0 ? m_type->currentText() : QString();
        const QSignalBlocker quiet(m_type);
        m_type->clear();
        m_type->addItem(tr("All effects"));
        QStringList sorted = names;
        sorted.sort(Qt::CaseInsensitive);
        m_type->addItems(sorted);
        m_type->setCurrentIndex(std::max(0, int(m_type->findText(chosen))));
    }
    if (m_model.errorString().isEmpty())
        m_count->setText(m_model.rowCount() == m_model.totalCount()
                             ? tr("%L1").arg(m_model.totalCount())
                             : tr("%L1 of %L2").arg(m_model.rowCount()).arg(m_model.totalCount()));
    else
        m_count->setText(tr("not readable: %1").arg(m_model.errorString()));
    followView();
}

void EffectsPane::applyFilter()
{
    m_typing.stop();
    m_model.setFilter(m_type->currentIndex() > 0 ? m_type->currentText() : QString(),
                      m_taskOnly->isChecked() ? m_session->selectedTask() : -1, m_filter->text());
    refresh();
}

void EffectsPane::followView()
{
    const int row = m_model.rowAtOrBefore(m_session->viewStep());
    if (row < 0 || m_view->currentIndex().row() == row) return;
    m_following = true;
    m_view->setCurrentIndex(m_model.index(row, 0));
    m_view->scrollTo(m_model.index(row, 0));
    m_following = false;
}

void EffectsPane::travel(const QModelIndex& index)
{
    if (!index.isValid() || !m_session->history()) return;
    m_session->setSelectedTask(m_model.taskOf(index.row()));
    m_session->goToStep(m_model.stepOf(index.row()));
}

} // namespace doeff::views
