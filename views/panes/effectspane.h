#pragma once

#include "effectlistmodel.h"

#include <QTimer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTreeView;

namespace doeff::views {

class StudioSession;

/// Effects: every effect of the run (live or trace), in order, filterable by type, by the
/// selected task and by text; a click travels to the step that yielded it, and the row of the
/// viewed step follows the Timeline.
class EffectsPane : public QWidget {
    Q_OBJECT
public:
    explicit EffectsPane(StudioSession* session, QWidget* parent = nullptr);
    EffectListModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }
    QComboBox* typeBox() { return m_type; }
    QLineEdit* filterEdit() { return m_filter; }
    QCheckBox* taskOnlyBox() { return m_taskOnly; }

private:
    void refresh();
    void applyFilter();
    void followView();
    void travel(const QModelIndex& index);
    StudioSession* m_session; // not owned
    EffectListModel m_model;
    QComboBox* m_type;
    QCheckBox* m_taskOnly;
    QLineEdit* m_filter;
    QLabel* m_count;
    QTreeView* m_view;
    QTimer m_typing; ///< applies the text filter once typing pauses
    StateHistory* m_history = nullptr;
    bool m_following = false;
};

} // namespace doeff::views
