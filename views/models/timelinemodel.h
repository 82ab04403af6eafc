#pragma once

#include "history.h"

#include <QAbstractListModel>

namespace doeff::views {

/// The Timeline's lanes: one row per task. The marks are not rows: the view reads a lane's
/// sorted step vectors (lane()) and paints only the visible window.
class TimelineModel final : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles { TaskIdRole = Qt::UserRole, StepCountRole, EffectCountRole };

    using QAbstractListModel::QAbstractListModel;

    /// Follows `data` (not owned; may be null). Lanes only ever get added to the same data, so
    /// a new pointer resets the model and the same one appends rows.
    void setTimeline(const TimelineData* data);
    const TimelineLane* lane(int row) const;
    const TimelineData* timeline() const { return m_data; }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const TimelineData* m_data = nullptr; // owned by the session's history
    int m_rows = 0;
};

} // namespace doeff::views
