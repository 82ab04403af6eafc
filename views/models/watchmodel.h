#pragma once

#include <doeff/session.h>

#include <QAbstractTableModel>
#include <QList>
#include <QStringList>

#include <optional>

namespace doeff::views {

/// The Watches list: expressions the user keeps an eye on, each evaluated at the viewed step.
/// An expression is a store key (`counter`, or `store:counter`), an env key (`env:name`) or a
/// task (`task 2`: its state, what it waits on, its outcome once finished). Expressions are
/// edited in place in their column.
class WatchModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { ExpressionColumn, ValueColumn, NUM_COLUMNS };
    enum Roles {
        ChangedRole = Qt::UserRole, ///< the viewed step changed it
        FoundRole, ///< the key or task exists at the viewed step
    };
    using QAbstractTableModel::QAbstractTableModel;

    QStringList expressions() const;
    void setExpressions(const QStringList& expressions);
    /// Appends a watch (trimmed; an empty one is ignored). Evaluate afterwards.
    bool addExpression(const QString& expression);
    void removeExpression(int row);

    /// Evaluates every watch in `state` for `task` (its store and env). `changed` are the store
    /// keys the viewed step wrote; with `beforeStore`/`beforeEnv` (the values before the step)
    /// a differing value is changed too, and its tooltip says what it was. A task watch is
    /// changed when its text differs from the previous evaluation's.
    void evaluate(const SessionState& state, int task, const QStringList& changed, const Store* beforeStore,
                  const Env* beforeEnv);
    /// Nothing to evaluate in (no run).
    void clearValues();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    /// A watch was added, removed or edited (to save the list).
    void expressionsChanged();

private:
    struct Watch {
        QString expression;
        QString value;
        QString before; ///< tooltip: what it was before the step (changed store/env values)
        bool changed = false;
        bool found = false;
        bool operator==(const Watch&) const = default;
    };
    Watch evaluated(const Watch& previous) const;

    QList<Watch> m_watches;
    // the last evaluate()'s arguments, to evaluate a new or edited watch at once
    QMap<int, SessionTask> m_tasks; // shared with the state, not copied
    Store m_store;
    Env m_env;
    QStringList m_changed;
    std::optional<Store> m_beforeStore;
    std::optional<Env> m_beforeEnv;
    bool m_hasState = false;
};

} // namespace doeff::views
