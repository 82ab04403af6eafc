#pragma once

#include <doeff/agent.h>

#include <QAbstractTableModel>
#include <QIcon>
#include <QList>

class QPainter;
class QRectF;

namespace doeff::views {

/// The breakpoint list; the checkbox in the first column enables/disables (enabledToggled).
class BreakpointModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { KindColumn, WhereColumn, HitsColumn, NUM_COLUMNS };
    enum Roles { BreakpointIdRole = Qt::UserRole };

    using QAbstractTableModel::QAbstractTableModel;
    using QAbstractTableModel::setData;

    void setBreakpoints(const QList<Breakpoint>& breakpoints);
    const QList<Breakpoint>& breakpoints() const { return m_breakpoints; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void enabledToggled(int id, bool enabled);

private:
    QList<Breakpoint> m_breakpoints;
};

/// The marker of a breakpoint, as the Breakpoints list and the source margin draw it: a red dot,
/// or a red diamond for a logpoint; filled when enabled, hollow when disabled.
void paintBreakpointMarker(QPainter& painter, const QRectF& rect, bool logpoint, bool enabled);
QIcon breakpointIcon(bool logpoint, bool enabled);

/// `Effect Get`, `store key counter`, `deep.cpp:12`, … (the Where column), with ` (hit N)`
/// when it pauses only at its Nth hit.
QString breakpointWhere(const Breakpoint& b);
/// The same without the hit count.
QString breakpointPlace(const Breakpoint& b);

} // namespace doeff::views
