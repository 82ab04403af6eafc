#pragma once

#include "logmodel.h"

#include <QWidget>

class QTreeView;

namespace doeff::views {

class StudioSession;

/// Log: Tell messages and logpoint messages with task and step.
class LogPane : public QWidget {
    Q_OBJECT
public:
    explicit LogPane(StudioSession* session, QWidget* parent = nullptr);
    LogModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }

private:
    StudioSession* m_session;
    LogModel m_model;
    QTreeView* m_view;
};

} // namespace doeff::views
