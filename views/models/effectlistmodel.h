#pragma once

#include <history.h>

#include <QAbstractTableModel>
#include <QHash>

#include <functional>
#include <vector>

namespace doeff::views {

/// The Effects list: every effect the run yielded, in order (the TimelineData's marks), with the
/// step, the task and the effect's label. Filtered by effect type, by task and by text in the
/// label. Labels are read back from the history a block at a time when a row is shown (a
/// trace of millions of effects keeps only 16 bytes per effect in memory); a text filter reads
/// every label once.
class EffectListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { StepColumn, TaskColumn, EffectColumn, NUM_COLUMNS };
    enum Roles { StepRole = Qt::UserRole, TaskIdRole };

    using QAbstractTableModel::QAbstractTableModel;

    /// Follows `history` (not owned; may be null). Call update() when it has grown.
    void setHistory(StateHistory* history);
    /// Takes in the effects recorded since the last call (a live run goes on).
    void update();
    /// Only effects of type `name` (empty: all), of `task` (-1: all) whose label contains `text`.
    void setFilter(const QString& name, int task, const QString& text);
    /// False when the last text filter could not read the labels (errorString()).
    QString errorString() const { return m_error; }

    /// The effect types seen so far.
    QStringList effectNames() const;
    /// The row of the last effect at or before `step`, or -1.
    int rowAtOrBefore(quint64 step) const;
    quint64 stepOf(int row) const;
    int taskOf(int row) const;
    /// How many effects there are, unfiltered.
    qsizetype totalCount() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const std::vector<EffectMark>& marks() const;
    /// Whether a mark passes the type and task filters (the text filter needs its label).
    bool accepts(const EffectMark& mark) const;
    /// Reads the labels of marks [first, last) from the history, in order; false on failure.
    bool readLabels(qsizetype first, qsizetype last, const std::function<void(qsizetype, const QString&)>& fn) const;
    QString taskName(int task) const;

    StateHistory* m_history = nullptr;
    std::vector<qint64> m_rows; ///< indices into marks() that pass the filter
    qsizetype m_seen = 0; ///< marks looked at so far
    QString m_name;
    qint64 m_nameId = -1; ///< m_name's index in the effect names, -1 for all, -2 for none seen
    int m_task = -1;
    QString m_text;
    mutable QHash<qint64, QString> m_labels; ///< labels read so far (a bounded cache)
    QString m_error;
};

} // namespace doeff::views
