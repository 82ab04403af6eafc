#pragma once

#include "varianttreemodel.h"

#include <QWidget>

class QLineEdit;
class QTreeView;

namespace doeff::views {

class StudioSession;

/// Store or Environment of the selected task, as a tree; keys the viewed step changed are
/// highlighted with their old value, and a filter box above keeps the rows whose key or value
/// contains its text (with their parents).
class VariantPane : public QWidget {
    Q_OBJECT
public:
    enum class Source : quint8 { Store, Environment };
    VariantPane(StudioSession* session, Source source, QWidget* parent = nullptr);
    /// All the rows (the view shows them through filterModel()).
    VariantTreeModel* model() { return &m_model; }
    VariantFilterModel* filterModel() { return &m_filter; }
    QTreeView* view() { return m_view; }
    QLineEdit* filterEdit() { return m_filterEdit; }
    Source source() const { return m_source; }

Q_SIGNALS:
    /// The context menu's "Where did this come from?" (readers false) or "Who read this?"
    /// (readers true) on a row; `key` is its top-level key.
    void provenanceRequested(const QString& key, bool readers);

private:
    void refresh();
    StudioSession* m_session;
    Source m_source;
    VariantTreeModel m_model;
    VariantFilterModel m_filter;
    QLineEdit* m_filterEdit;
    QTreeView* m_view;
    QStringList m_expanded; // key paths joined by '\x1f', restored after a reset
};

} // namespace doeff::views
