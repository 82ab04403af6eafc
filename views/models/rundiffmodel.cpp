#include "rundiffmodel.h"

#include <QFont>
#include <QLocale>

namespace doeff::views {

namespace {

RunDiffModel::Row effectRow(const RunDivergence& d, const QString& what)
{
    RunDiffModel::Row r;
    r.what = what;
    r.hasStep = true;
    r.step = d.stepA;
    r.otherStep = d.stepB;
    r.task = d.task;
    r.differs = d.field != QLatin1StringView("missing") ? d.field
        : d.a.isEmpty()                                 ? RunDiffModel::tr("missing here")
                                                        : RunDiffModel::tr("missing there");
    r.a = d.a.isEmpty() ? QStringLiteral("(no such effect)") : d.a;
    r.b = d.b.isEmpty() ? QStringLiteral("(no such effect)") : d.b;
    return r;
}

bool sameDivergence(const RunDivergence& x, const RunDivergence& y)
{
    return x.eventA == y.eventA && x.eventB == y.eventB && x.field == y.field && x.task == y.task;
}

} // namespace

void RunDiffModel::setDiff(const RunDiff& diff, quint64 finalStep)
{
    beginResetModel();
    m_rows.clear();
    if (diff.first) {
        Row r = effectRow(
            *diff.first,
            tr("first divergence: %1").arg(diff.first->effect.isEmpty() ? tr("effect") : diff.first->effect));
        r.first = true;
        m_rows << r;
    }
    auto state = [&](const QString& what, const RunDifference& x, const QString& differs) {
        Row r;
        r.what = what;
        r.hasStep = true;
        r.step = finalStep;
        r.differs = differs;
        r.a = x.a;
        r.b = x.b;
        m_rows << r;
    };
    const RunDiffSummary& m = diff.summary;
    if (m.outcome) state(tr("outcome"), *m.outcome, tr("outcome"));
    for (const RunDifference& x : m.store)
        state(tr("store %1").arg(x.what), x, tr("value"));
    for (const RunDifference& x : m.env)
        state(tr("env %1").arg(x.what), x, tr("value"));
    for (const RunDifference& x : m.tasks)
        state(x.what, x, tr("state"));
    for (const RunEffectDifferences& e : m.effects) {
        const QString name = e.effect.isEmpty() ? tr("effect") : e.effect;
        for (qsizetype i = 0; i < e.examples.size(); ++i) {
            if (diff.first && sameDivergence(e.examples[i], *diff.first)) continue;
            m_rows << effectRow(e.examples[i], tr("%1 (%2 of %3)").arg(name).arg(i + 1).arg(e.count));
        }
    }
    endResetModel();
}

void RunDiffModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int RunDiffModel::firstRow() const
{
    return !m_rows.isEmpty() && m_rows.first().first ? 0 : -1;
}

int RunDiffModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RunDiffModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant RunDiffModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size()) return {};
    const Row& r = m_rows.at(index.row());
    switch (role) {
    case StepRole:
        return r.hasStep ? QVariant(r.step) : QVariant();
    case TaskRole:
        return r.task;
    case FirstRole:
        return r.first;
    case Qt::FontRole:
        if (r.first) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == StepColumn || index.column() == OtherStepColumn || index.column() == TaskColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == ThisColumn) return r.a;
        if (index.column() == OtherColumn) return r.b;
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case WhatColumn:
            return r.what;
        case StepColumn:
            return r.hasStep ? QLocale().toString(r.step) : QVariant();
        case OtherStepColumn:
            return r.first || r.task >= 0 ? QLocale().toString(r.otherStep) : QVariant();
        case TaskColumn:
            return r.task >= 0 ? QVariant(r.task) : QVariant();
        case DiffersColumn:
            return r.differs;
        case ThisColumn:
            return r.a;
        case OtherColumn:
            return r.b;
        default:
            return {};
        }
    default:
        return {};
    }
}

QVariant RunDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case WhatColumn:
        return tr("Difference");
    case StepColumn:
        return tr("Step");
    case OtherStepColumn:
        return tr("Other step");
    case TaskColumn:
        return tr("Task");
    case DiffersColumn:
        return tr("Differs in");
    case ThisColumn:
        return tr("This run");
    case OtherColumn:
        return tr("Other run");
    default:
        return {};
    }
}

} // namespace doeff::views
