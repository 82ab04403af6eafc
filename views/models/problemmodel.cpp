#include "problemmodel.h"

#include <QFileInfo>
#include <QPainter>
#include <QPixmap>

namespace doeff::views {

void ProblemModel::setProblems(const QList<Problem>& problems)
{
    beginResetModel();
    m_problems = problems;
    endResetModel();
}

int ProblemModel::count(Severity severity) const
{
    return int(std::count_if(m_problems.begin(), m_problems.end(),
                             [severity](const Problem& p) { return p.severity == severity; }));
}

QIcon ProblemModel::icon(Severity severity)
{
    static QIcon icons[3];
    QIcon& icon = icons[int(severity)];
    if (!icon.isNull()) return icon;
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    const QColor colour = severity == Severity::Error ? QColor(0xd3, 0x2f, 0x2f)
        : severity == Severity::Warning               ? QColor(0xf0, 0xa0, 0x20)
                                                      : QColor(0x2f, 0x7f, 0xd3);
    p.setBrush(colour);
    p.setPen(Qt::NoPen);
    p.drawEllipse(QRectF(2, 2, 28, 28));
    QFont font;
    font.setBold(true);
    font.setPixelSize(22);
    p.setFont(font);
    p.setPen(Qt::white);
    p.drawText(QRectF(0, 0, 32, 32), Qt::AlignCenter,
               severity == Severity::Error         ? QStringLiteral("\u00d7")
                   : severity == Severity::Warning ? QStringLiteral("!")
                                                   : QStringLiteral("i"));
    p.end();
    icon = QIcon(pixmap);
    return icon;
}

int ProblemModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_problems.size());
}

int ProblemModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant ProblemModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_problems.size()) return {};
    const Problem& p = m_problems.at(index.row());
    switch (role) {
    case StepRole:
        return p.step;
    case TaskRole:
        return p.task;
    case SeverityRole:
        return int(p.severity);
    case Qt::DecorationRole:
        return index.column() == SeverityColumn ? QVariant(icon(p.severity)) : QVariant();
    case Qt::ToolTipRole:
        return index.column() == MessageColumn ? QVariant(p.message) : QVariant();
    case Qt::DisplayRole:
        switch (index.column()) {
        case SeverityColumn:
            return QString::fromLatin1(severityName(p.severity));
        case StepColumn:
            return p.step;
        case TaskColumn:
            return p.task < 0 ? QString() : QString::number(p.task);
        case WhereColumn:
            return p.file.isEmpty() ? QString() : QFileInfo(p.file).fileName() + u':' + QString::number(p.line);
        case KindColumn:
            return QString::fromLatin1(problemKindName(p.kind));
        case MessageColumn:
            return p.message;
        default:
            return {};
        }
    default:
        return {};
    }
}

QVariant ProblemModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case SeverityColumn:
        return tr("Severity");
    case StepColumn:
        return tr("Step");
    case TaskColumn:
        return tr("Task");
    case WhereColumn:
        return tr("Where");
    case KindColumn:
        return tr("Kind");
    case MessageColumn:
        return tr("Message");
    default:
        return {};
    }
}

} // namespace doeff::views
