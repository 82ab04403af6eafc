#include "paneparts.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

QTreeView* makeView(QWidget* parent, bool tree)
{
    auto* v = new QTreeView(parent);
    v->setRootIsDecorated(tree);
    v->setUniformRowHeights(true);
    v->setAlternatingRowColors(true);
    v->setAllColumnsShowFocus(true);
    v->setSelectionBehavior(QAbstractItemView::SelectRows);
    v->header()->setStretchLastSection(true);
    v->header()->setDefaultSectionSize(90);
    v->header()->setMinimumSectionSize(28);
    return v;
}

QVBoxLayout* tightLayout(QWidget* w)
{
    auto* l = new QVBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->setSpacing(2);
    return l;
}

QLabel* titleLabel(QWidget* parent)
{
    auto* l = new QLabel(parent);
    l->setContentsMargins(4, 2, 4, 2);
    l->setTextFormat(Qt::PlainText);
    QPalette p = l->palette();
    p.setColor(QPalette::WindowText, QColor(90, 90, 90));
    l->setPalette(p);
    return l;
}

} // namespace doeff::views
