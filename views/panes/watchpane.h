#pragma once

#include "watchmodel.h"

#include <QWidget>

class QLineEdit;
class QToolButton;
class QTreeView;

namespace doeff::views {

class StudioSession;

/// The Watches dock: store keys, env keys and tasks the user watches, evaluated at the viewed
/// step for the selected task; changes highlighted like the Store pane. The list is kept per
/// program (QSettings `watches/<program>`), so it is back when the program is opened again.
class WatchPane : public QWidget {
    Q_OBJECT
public:
    explicit WatchPane(StudioSession* session, QWidget* parent = nullptr);
    WatchModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }
    QLineEdit* addEdit() { return m_add; }
    /// Adds a watch (as if typed in the box and Return pressed).
    bool addWatch(const QString& expression);
    /// Removes the selected watches.
    void removeSelected();

    /// The QSettings key holding `program`'s watches.
    static QString settingsKey(const QString& program);

Q_SIGNALS:
    /// The context menu's "Where did this come from?" / "Who read this?" on a watch.
    void provenanceRequested(const QString& expression, bool readers);

private:
    void refresh();
    void followProgram();
    StudioSession* m_session;
    WatchModel m_model;
    QLineEdit* m_add;
    QToolButton* m_remove;
    QTreeView* m_view;
    QString m_program; // whose list is shown
    bool m_loading = false;
};

} // namespace doeff::views
