#pragma once

#include "effecttreemodel.h"

#include <QWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QTreeView;

namespace doeff::views {

class StudioSession;

/// Effect tree: the call tree of programs and their effects, with a filter.
class EffectTreePane : public QWidget {
    Q_OBJECT
public:
    explicit EffectTreePane(StudioSession* session, QWidget* parent = nullptr);
    EffectTreeModel* model() { return &m_model; }
    QSortFilterProxyModel* proxy() { return m_proxy; }
    QLineEdit* filter() { return m_filter; }
    QTreeView* view() { return m_view; }

private:
    void refresh();
    StudioSession* m_session;
    EffectTreeModel m_model;
    QSortFilterProxyModel* m_proxy;
    QLineEdit* m_filter;
    QTreeView* m_view;
};

} // namespace doeff::views
