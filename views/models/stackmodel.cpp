#include "stackmodel.h"

#include <doeff/session.h>

#include <QBrush>
#include <QColor>
#include <QFileInfo>
#include <QFont>

namespace doeff::views {

namespace {
bool sameFrames(const QList<FrameInfo>& a, const QList<FrameInfo>& b)
{
    if (a.size() != b.size()) return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (a[i].kind != b[i].kind || a[i].description != b[i].description || a[i].file != b[i].file
            || a[i].line != b[i].line)
            return false;
    return true;
}
} // namespace

namespace {

bool isProgram(const FrameInfo& f)
{
    return f.kind == QLatin1String("ProgramFrame");
}

bool isHandling(const FrameInfo& f)
{
    return f.kind == QLatin1String("HandlingFrame");
}

QString handlerOf(const FrameInfo& handling)
{
    return handlingFrameHandler(handling.description);
}

QString effectOf(const FrameInfo& handling)
{
    return handlingFrameEffect(handling.description);
}

QString shortLocation(const QString& file, int line)
{
    return QFileInfo(file).fileName() + u':' + QString::number(line);
}

} // namespace

void StackModel::setFrames(const QList<FrameInfo>& frames)
{
    if (sameFrames(frames, m_frames)) return;
    beginResetModel();
    m_frames = frames;
    m_rows.clear();
    for (int i = 0; i < int(m_frames.size()); ++i) {
        m_rows.append({ i, false });
        const FrameInfo& f = m_frames[i];
        if (!isHandling(f) || f.file.isEmpty()) continue;
        // a pause's K already holds the performing program's frames right below
        const bool shown = i + 1 < m_frames.size() && isProgram(m_frames[i + 1]) && m_frames[i + 1].file == f.file
            && m_frames[i + 1].line == f.line;
        if (!shown) m_rows.append({ i, true });
    }
    endResetModel();
}

int StackModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int StackModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant StackModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Row& row = m_rows[index.row()];
    const FrameInfo& f = m_frames[row.frame];
    const bool located = !f.file.isEmpty();
    // a handler's own program: named after the handler (its code is often a lambda)
    QString handler;
    if (isProgram(f) && row.frame + 1 < m_frames.size() && isHandling(m_frames[row.frame + 1]))
        handler = handlerOf(m_frames[row.frame + 1]);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KindColumn: {
            if (row.performer) return tr("  ↳ by");
            QString kind = f.kind;
            if (kind.endsWith(QLatin1String("Frame"))) kind.chop(5);
            return kind;
        }
        case DescriptionColumn:
            if (row.performer) return tr("%1() at %2").arg(f.function, shortLocation(f.file, f.line));
            if (isHandling(f)) return tr("%1 → %2").arg(effectOf(f), handlerOf(f));
            if (isProgram(f) && located) {
                if (!handler.isEmpty()) return tr("%1 (handler) at %2").arg(handler, shortLocation(f.file, f.line));
                QString d = f.description;
                return d.replace(f.file, QFileInfo(f.file).fileName());
            }
            return f.description;
        case LocationColumn:
            return located && (isProgram(f) || row.performer) ? shortLocation(f.file, f.line) : QString();
        }
        return {};
    case Qt::ToolTipRole:
        if (row.performer)
            return tr("%1 was performed by %2() at %3:%4").arg(effectOf(f), f.function, f.file).arg(f.line);
        if (!handler.isEmpty())
            return tr("Handler %1, handling %2: %3() at %4:%5")
                .arg(handler, effectOf(m_frames[row.frame + 1]), f.function, f.file)
                .arg(f.line);
        return isProgram(f) && located ? f.file + u':' + QString::number(f.line) : f.description;
    case FileRole:
        return isProgram(f) || isHandling(f) || row.performer ? f.file : QString();
    case LineRole:
        return f.line;
    case FrameIndexRole:
        return row.frame;
    case Qt::ForegroundRole:
        if (row.performer) return QVariant(QBrush(QColor(40, 90, 160)));
        return isProgram(f) && located ? QVariant() : QVariant(QBrush(QColor(110, 110, 110)));
    case Qt::FontRole:
        if (index.row() == 0) {
            QFont font;
            font.setBold(true);
            return font;
        }
        if (row.performer) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    }
    return {};
}

QVariant StackModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case KindColumn:
        return tr("Kind");
    case DescriptionColumn:
        return tr("Description");
    case LocationColumn:
        return tr("Location");
    }
    return {};
}

} // namespace doeff::views
