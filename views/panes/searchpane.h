#pragma once

#include "searchmodel.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QTreeView;

namespace doeff::views {

class StudioSession;

/// Search: a text field searching the whole run (live events or the opened trace) for effect
/// names, store keys, values, log text and task names; the hits as a list. Activating a hit,
/// Find Next (F3) and Find Previous (Shift+F3) travel to its step.
class SearchPane : public QWidget {
    Q_OBJECT
public:
    explicit SearchPane(StudioSession* session, QWidget* parent = nullptr);
    SearchModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }
    QLineEdit* field() { return m_field; }
    QLabel* summaryLabel() { return m_summary; }

    /// Searches the whole run for `text` (also what Enter in the field does). False when the
    /// events could not be read (the summary says why).
    bool search(const QString& text);
    /// Travels to the first hit after / the last hit before the viewed step; false when none.
    bool findNext();
    bool findPrevious();
    /// Focuses the field with its text selected (Edit ▸ Find).
    void focusField();

Q_SIGNALS:
    /// The hits changed (the Timeline marks their steps).
    void hitsChanged(const QList<quint64>& steps);

private:
    bool travelTo(int row);

    StudioSession* m_session;
    SearchModel m_model;
    QLineEdit* m_field;
    QLabel* m_summary;
    QTreeView* m_view;
};

} // namespace doeff::views
