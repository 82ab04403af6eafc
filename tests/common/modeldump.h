#pragma once

// An item model as text, for comparing what two models (or one model at two times) show.

#include <QAbstractItemModel>
#include <QStringList>

namespace testcommon {

/// One line per row, depth-first: the display text of every column joined by " | ", children
/// indented two spaces per level.
inline QStringList dumpModel(const QAbstractItemModel& model, const QModelIndex& parent = {}, int depth = 0)
{
    QStringList out;
    for (int r = 0; r < model.rowCount(parent); ++r) {
        QStringList cols;
        for (int c = 0; c < model.columnCount(parent); ++c)
            cols.append(model.index(r, c, parent).data().toString());
        out.append(QString(depth * 2, u' ') + cols.join(QStringLiteral(" | ")));
        out += dumpModel(model, model.index(r, 0, parent), depth + 1);
    }
    return out;
}

} // namespace testcommon
