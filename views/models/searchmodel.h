#pragma once

#include <doeff/search.h>

#include <QAbstractTableModel>
#include <QString>

#include <optional>

namespace doeff::views {

/// The hits of a whole-run search (doeff/search.h): step, task, kind and the matched text, in
/// event order. Knows which hit comes after or before a step, for Find Next / Find Previous.
class SearchModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { StepColumn, TaskColumn, KindColumn, TextColumn, NUM_COLUMNS };
    enum Roles { StepRole = Qt::UserRole + 1 };

    using QAbstractTableModel::QAbstractTableModel;

    void setResult(const SearchResult& result);
    void clear();
    const SearchResult& result() const { return m_result; }
    /// "12 hits", "100,000 of 3,328,187 hits shown", "no hits".
    QString summary() const;
    /// The first hit at a step after `step` / the last one before it.
    std::optional<int> rowAfter(quint64 step) const;
    std::optional<int> rowBefore(quint64 step) const;
    quint64 stepAt(int row) const { return m_result.hits.value(row).step; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    SearchResult m_result;
};

} // namespace doeff::views
