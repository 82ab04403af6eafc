#pragma once

#include "stackmodel.h"

#include <QWidget>

class QLabel;
class QTreeView;

namespace doeff::views {

class StudioSession;

/// Stack: the continuation stack of the selected task, top first; double-click opens the source.
class StackPane : public QWidget {
    Q_OBJECT
public:
    explicit StackPane(StudioSession* session, QWidget* parent = nullptr);
    StackModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }

Q_SIGNALS:
    void sourceRequested(const QString& file, int line);

private:
    void refresh();
    StudioSession* m_session;
    StackModel m_model;
    QTreeView* m_view;
    QLabel* m_title;
};

} // namespace doeff::views
