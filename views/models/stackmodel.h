#pragma once

#include <doeff/handler.h>

#include <QAbstractTableModel>
#include <QList>

namespace doeff::views {

/// The continuation stack (K) of one task, top first.
class StackModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { KindColumn, DescriptionColumn, LocationColumn, NUM_COLUMNS };
    enum Roles { FileRole = Qt::UserRole, LineRole };

    using QAbstractTableModel::QAbstractTableModel;

    void setFrames(const QList<FrameInfo>& frames);
    const QList<FrameInfo>& frames() const { return m_frames; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<FrameInfo> m_frames;
};

} // namespace doeff::views
