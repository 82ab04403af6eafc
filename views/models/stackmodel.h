#pragma once

#include <doeff/handler.h>

#include <QAbstractTableModel>
#include <QList>

namespace doeff::views {

/// The continuation stack (K) of one task, top first. A handler's program is named after its
/// handler (`audit_log (handler)`), and beneath each handling frame a "performed by" row shows
/// the program that performed the effect being handled (unless that program's own frame follows,
/// as in a pause's K). Every row with a source location opens it on double-click.
class StackModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { KindColumn, DescriptionColumn, LocationColumn, NUM_COLUMNS };
    enum Roles { FileRole = Qt::UserRole, LineRole, FrameIndexRole };

    using QAbstractTableModel::QAbstractTableModel;

    void setFrames(const QList<FrameInfo>& frames);
    const QList<FrameInfo>& frames() const { return m_frames; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        int frame = 0; ///< index into m_frames
        bool performer = false; ///< the "performed by" row of a handling frame
    };
    QList<FrameInfo> m_frames;
    QList<Row> m_rows;
};

} // namespace doeff::views
