#include "breakpointmodel.h"

#include <QFileInfo>
#include <QPainter>
#include <QPixmap>

namespace doeff::views {

void paintBreakpointMarker(QPainter& painter, const QRectF& rect, bool logpoint, bool enabled)
{
    const QColor red(210, 40, 40);
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    if (enabled) {
        painter.setPen(QPen(red.darker(120), 1));
        painter.setBrush(red);
    } else {
        painter.setPen(QPen(red, 1.5));
        painter.setBrush(Qt::NoBrush);
    }
    const QRectF r = rect.adjusted(0.75, 0.75, -0.75, -0.75);
    if (logpoint) {
        const QPointF c = r.center();
        const QPointF diamond[]
            = { { c.x(), r.top() }, { r.right(), c.y() }, { c.x(), r.bottom() }, { r.left(), c.y() } };
        painter.drawPolygon(diamond, 4);
    } else {
        painter.drawEllipse(r);
    }
    painter.restore();
}

QIcon breakpointIcon(bool logpoint, bool enabled)
{
    QIcon icon;
    for (int size : { 12, 16, 24 }) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        const qreal inset = size / 6.0;
        paintBreakpointMarker(painter, QRectF(inset, inset, size - 2 * inset, size - 2 * inset), logpoint, enabled);
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

QString breakpointWhere(const Breakpoint& b)
{
    const QString where = breakpointPlace(b);
    return b.hitCount > 0 ? where + QStringLiteral(" (hit %1)").arg(b.hitCount) : where;
}

QString breakpointPlace(const Breakpoint& b)
{
    switch (b.kind) {
    case Breakpoint::Kind::Effect:
        return b.condition.isEmpty() ? b.pattern : b.pattern + QStringLiteral(" if ") + b.condition;
    case Breakpoint::Kind::StoreKey:
    case Breakpoint::Kind::EnvKey:
        return b.pattern;
    case Breakpoint::Kind::SourceLine:
        return QFileInfo(b.file).fileName() + u':' + QString::number(b.line);
    default:
        return QStringLiteral("—");
    }
}

void BreakpointModel::setBreakpoints(const QList<Breakpoint>& breakpoints)
{
    bool sameIds = breakpoints.size() == m_breakpoints.size();
    for (qsizetype i = 0; sameIds && i < breakpoints.size(); ++i)
        sameIds = breakpoints[i].id == m_breakpoints[i].id;
    if (!sameIds) {
        beginResetModel();
        m_breakpoints = breakpoints;
        endResetModel();
        return;
    }
    m_breakpoints = breakpoints;
    if (!m_breakpoints.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_breakpoints.size()) - 1, NUM_COLUMNS - 1));
}

int BreakpointModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_breakpoints.size());
}

int BreakpointModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant BreakpointModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Breakpoint& b = m_breakpoints[index.row()];
    if (role == BreakpointIdRole) return b.id;
    if (role == Qt::CheckStateRole && index.column() == KindColumn) return b.enabled ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::DecorationRole && index.column() == WhereColumn) return breakpointIcon(b.isLogpoint(), b.enabled);
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case KindColumn:
            return QString::fromLatin1(breakpointKindName(b.kind));
        case WhereColumn:
            return b.isLogpoint() ? breakpointWhere(b) + QStringLiteral("  log: ") + b.logMessage : breakpointWhere(b);
        case HitsColumn:
            return b.hits;
        }
    }
    if (role == Qt::ToolTipRole)
        return b.isLogpoint() ? tr("Logpoint: %1\nlogs: %2").arg(b.describe(), b.logMessage) : b.describe();
    if (role == Qt::TextAlignmentRole && index.column() == HitsColumn) return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

bool BreakpointModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)
        || role != Qt::CheckStateRole || index.column() != KindColumn)
        return false;
    Breakpoint& b = m_breakpoints[index.row()];
    b.enabled = value.toInt() == Qt::Checked;
    Q_EMIT dataChanged(index, index, { Qt::CheckStateRole });
    Q_EMIT enabledToggled(b.id, b.enabled);
    return true;
}

Qt::ItemFlags BreakpointModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == KindColumn) f |= Qt::ItemIsUserCheckable;
    return f;
}

QVariant BreakpointModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case KindColumn:
        return tr("Kind");
    case WhereColumn:
        return tr("Where");
    case HitsColumn:
        return tr("Hits");
    }
    return {};
}

} // namespace doeff::views
