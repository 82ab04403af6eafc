#pragma once

#include "backgroundjob.h"
#include "searchmodel.h"

#include <QWidget>

#include <memory>
#include <optional>

class QLabel;
class QLineEdit;
class QProgressBar;
class QToolButton;
class QTreeView;

namespace doeff::views {

class StudioSession;

/// Search: a text field searching the whole run (live events or the opened trace) for effect
/// names, store keys, values, log text and task names; the hits as a list. The search runs on
/// a worker thread, with a progress bar and a Cancel button (a new search or document cancels
/// it too). Activating a hit, Find Next (F3) and Find Previous (Shift+F3) travel to its step.
class SearchPane : public QWidget {
    Q_OBJECT
public:
    explicit SearchPane(StudioSession* session, QWidget* parent = nullptr);
    ~SearchPane() override;
    SearchModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }
    QLineEdit* field() { return m_field; }
    QLabel* summaryLabel() { return m_summary; }

    /// Starts searching the whole run for `text` on the worker thread (also what Enter in the
    /// field does); searchFinished() tells when the hits are in. An empty text clears them.
    void search(const QString& text);
    /// A search is running.
    bool isSearching() const { return m_job.isRunning(); }
    /// Stops the running search; the hits stay as they were.
    void cancel();
    /// Travels to the first hit after / the last hit before the viewed step; false when none.
    /// With no hits yet for the field's text, starts the search and travels when it ends.
    bool findNext();
    bool findPrevious();
    /// Focuses the field with its text selected (Edit ▸ Find).
    void focusField();

Q_SIGNALS:
    /// The hits changed (the Timeline marks their steps).
    void hitsChanged(const QList<quint64>& steps);
    /// A search ended: `ok` false when the events could not be read or it was cancelled (the
    /// summary says which).
    void searchFinished(bool ok);

private:
    bool travelTo(int row);
    void searchCancelled();
    void finished(const SearchResult& result, bool ok, const QString& error, const QString& text);
    bool find(bool next, bool maySearch = true);

    StudioSession* m_session;
    SearchModel m_model;
    QLineEdit* m_field;
    QLabel* m_summary;
    QProgressBar* m_progress;
    QToolButton* m_cancelButton;
    QTreeView* m_view;
    BackgroundJob m_job;
    std::optional<bool> m_pendingFind; ///< Find Next (true) / Previous (false) once the hits are in
};

} // namespace doeff::views
