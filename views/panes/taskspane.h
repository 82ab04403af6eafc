#pragma once

#include "taskmodel.h"

#include <QWidget>

class QTreeView;

namespace doeff::views {

class StudioSession;

/// Tasks: selecting a task drives the stack, store and environment panes.
class TasksPane : public QWidget {
    Q_OBJECT
public:
    explicit TasksPane(StudioSession* session, QWidget* parent = nullptr);
    TaskModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }

private:
    void refresh();
    void syncSelection();
    StudioSession* m_session; // not owned
    TaskModel m_model;
    QTreeView* m_view;
    bool m_syncing = false;
};

} // namespace doeff::views
