#include "watchmodel.h"

#include <doeff/value.h>

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QRegularExpression>

namespace doeff::views {

namespace {
enum class Kind : quint8 { Store, Env, Task };
struct Parsed {
    Kind kind = Kind::Store;
    QString key;
    int task = -1;
};

Parsed parse(const QString& expression)
{
    static const QRegularExpression taskRe(QStringLiteral("^task\\s+#?(\\d+)$"),
                                           QRegularExpression::CaseInsensitiveOption);
    const QString e = expression.trimmed();
    if (const auto m = taskRe.match(e); m.hasMatch()) return { Kind::Task, {}, m.captured(1).toInt() };
    if (e.startsWith(QLatin1String("env:"), Qt::CaseInsensitive)) return { Kind::Env, e.mid(4).trimmed(), -1 };
    if (e.startsWith(QLatin1String("store:"), Qt::CaseInsensitive)) return { Kind::Store, e.mid(6).trimmed(), -1 };
    return { Kind::Store, e, -1 };
}

QString shortRepr(const QVariant& v)
{
    QString text = repr(v);
    if (text.size() > 300) text = text.left(300) + QStringLiteral("…");
    return text;
}
} // namespace

QStringList WatchModel::expressions() const
{
    QStringList out;
    for (const Watch& w : m_watches)
        out.append(w.expression);
    return out;
}

void WatchModel::setExpressions(const QStringList& expressions)
{
    beginResetModel();
    m_watches.clear();
    for (const QString& e : expressions)
        if (!e.trimmed().isEmpty()) m_watches.append(evaluated(Watch { e.trimmed(), {}, {}, false, false }));
    endResetModel();
}

bool WatchModel::addExpression(const QString& expression)
{
    const QString e = expression.trimmed();
    if (e.isEmpty()) return false;
    beginInsertRows({}, int(m_watches.size()), int(m_watches.size()));
    m_watches.append(evaluated(Watch { e, {}, {}, false, false }));
    endInsertRows();
    Q_EMIT expressionsChanged();
    return true;
}

void WatchModel::removeExpression(int row)
{
    if (row < 0 || row >= m_watches.size()) return;
    beginRemoveRows({}, row, row);
    m_watches.removeAt(row);
    endRemoveRows();
    Q_EMIT expressionsChanged();
}

WatchModel::Watch WatchModel::evaluated(const Watch& previous) const
{
    Watch w { previous.expression, {}, {}, false, false };
    if (!m_hasState) return w;
    const Parsed p = parse(w.expression);
    switch (p.kind) {
    case Kind::Task: {
        const auto it = m_tasks.constFind(p.task);
        if (it == m_tasks.cend()) {
            w.value = tr("<no task %1 yet>").arg(p.task);
        } else {
            const SessionTask& t = it.value();
            w.found = true;
            w.value = QString::fromLatin1(taskStateCodeName(t.state));
            if (t.isFinished() && !t.outcome.isEmpty())
                w.value += QStringLiteral(" · ") + t.outcome;
            else if (!t.waitsOn.isEmpty())
                w.value += QStringLiteral(" · ") + t.waitsOn;
        }
        // a task has no "before": changed since the previous evaluation
        w.changed = !previous.value.isEmpty() && previous.value != w.value;
        if (w.changed) w.before = previous.value;
        return w;
    }
    case Kind::Store:
    case Kind::Env: {
        const bool store = p.kind == Kind::Store;
        const QVariant* v = nullptr;
        QVariant envValue;
        if (store) {
            v = m_store.find(p.key);
        } else if (const auto it = m_env.constFind(p.key); it != m_env.cend()) {
            envValue = it.value();
            v = &envValue;
        }
        w.found = v != nullptr;
        w.value = v ? shortRepr(*v) : tr("<not set>");
        const QVariant* old = nullptr;
        QVariant oldEnv;
        bool compared = false;
        if (store && m_beforeStore) {
            compared = true;
            old = m_beforeStore->find(p.key);
        } else if (!store && m_beforeEnv) {
            compared = true;
            if (const auto it = m_beforeEnv->constFind(p.key); it != m_beforeEnv->cend()) {
                oldEnv = it.value();
                old = &oldEnv;
            }
        }
        if (compared && (bool(old) != bool(v) || (old && v && !(*old == *v)))) {
            w.changed = true;
            w.before = old ? shortRepr(*old) : tr("<not set>");
        }
        if (store && !w.changed && m_changed.contains(p.key)) w.changed = true; // written, same value
        return w;
    }
    }
    return w;
}

void WatchModel::evaluate(const SessionState& state, int task, const QStringList& changed, const Store* beforeStore,
                          const Env* beforeEnv)
{
    m_hasState = true;
    m_tasks = state.tasks();
    m_store = state.store(task);
    const SessionTask* t = state.task(task);
    m_env = t ? t->env : Env();
    m_changed = changed;
    m_beforeStore = beforeStore ? std::optional<Store>(*beforeStore) : std::nullopt;
    m_beforeEnv = beforeEnv ? std::optional<Env>(*beforeEnv) : std::nullopt;
    for (qsizetype i = 0; i < m_watches.size(); ++i) {
        Watch w = evaluated(m_watches[i]);
        if (w == m_watches[i]) continue;
        m_watches[i] = w;
        Q_EMIT dataChanged(index(int(i), 0), index(int(i), NUM_COLUMNS - 1));
    }
}

void WatchModel::clearValues()
{
    m_hasState = false;
    m_tasks.clear();
    m_store = Store();
    m_env.clear();
    m_changed.clear();
    m_beforeStore.reset();
    m_beforeEnv.reset();
    for (qsizetype i = 0; i < m_watches.size(); ++i) {
        Watch w = evaluated(m_watches[i]);
        if (w == m_watches[i]) continue;
        m_watches[i] = w;
        Q_EMIT dataChanged(index(int(i), 0), index(int(i), NUM_COLUMNS - 1));
    }
}

int WatchModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_watches.size());
}

int WatchModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant WatchModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
    const Watch& w = m_watches[index.row()];
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        return index.column() == ExpressionColumn ? w.expression : w.value;
    case Qt::ToolTipRole:
        if (index.column() == ExpressionColumn)
            return tr("A store key (counter), an env key (env:name) or a task (task 2); double-click to edit");
        if (w.changed && !w.before.isEmpty()) return tr("Before this step: %1\nNow: %2").arg(w.before, w.value);
        return w.value;
    case ChangedRole:
        return w.changed;
    case FoundRole:
        return w.found;
    case Qt::FontRole:
        if (w.changed) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::BackgroundRole:
        return w.changed ? QVariant(QBrush(QColor(255, 236, 170))) : QVariant();
    case Qt::ForegroundRole:
        if (w.changed) return QBrush(QColor(20, 20, 20));
        if (index.column() == ValueColumn && !w.found) return QBrush(QColor(120, 120, 120));
        return {};
    }
    return {};
}

bool WatchModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || role != Qt::EditRole
        || index.column() != ExpressionColumn)
        return false;
    const QString e = value.toString().trimmed();
    if (e.isEmpty()) return false;
    if (e == m_watches[index.row()].expression) return true;
    m_watches[index.row()] = evaluated(Watch { e, {}, {}, false, false });
    Q_EMIT dataChanged(this->index(index.row(), 0), this->index(index.row(), NUM_COLUMNS - 1));
    Q_EMIT expressionsChanged();
    return true;
}

Qt::ItemFlags WatchModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == ExpressionColumn) f |= Qt::ItemIsEditable;
    return f;
}

QVariant WatchModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    return section == ExpressionColumn ? tr("Watch") : tr("Value");
}

} // namespace doeff::views
