#pragma once

#include "varianttreemodel.h"

#include <QWidget>

class QTreeView;

namespace doeff::views {

class StudioSession;

/// Store or Environment of the selected task, as a tree; changed keys highlighted.
class VariantPane : public QWidget {
    Q_OBJECT
public:
    enum class Source : quint8 { Store, Environment };
    VariantPane(StudioSession* session, Source source, QWidget* parent = nullptr);
    VariantTreeModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }

private:
    void refresh();
    StudioSession* m_session;
    Source m_source;
    VariantTreeModel m_model;
    QTreeView* m_view;
    QStringList m_expanded; // key paths joined by '\x1f', restored after a reset
};

} // namespace doeff::views
