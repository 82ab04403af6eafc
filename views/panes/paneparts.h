#pragma once

class QLabel;
class QTreeView;
class QVBoxLayout;
class QWidget;

/// What the Studio's panes share. Each pane owns its model, reads the StudioSession when it
/// refreshes and never touches the machine.
namespace doeff::views {

QTreeView* makeView(QWidget* parent, bool tree);
QVBoxLayout* tightLayout(QWidget* w);
QLabel* titleLabel(QWidget* parent);

} // namespace doeff::views
