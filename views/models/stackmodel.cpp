#include "stackmodel.h"

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

void StackModel::setFrames(const QList<FrameInfo>& frames)
{
    if (sameFrames(frames, m_frames)) return;
    beginResetModel();
    m_frames = frames;
    endResetModel();
}

int StackModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_frames.size());
}

int StackModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant StackModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const FrameInfo& f = m_frames[index.row()];
    const bool program = !f.file.isEmpty();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KindColumn: {
            QString kind = f.kind;
            if (kind.endsWith(QLatin1String("Frame"))) kind.chop(5);
            return kind;
        }
        case DescriptionColumn:
            if (program) {
                QString d = f.description;
                return d.replace(f.file, QFileInfo(f.file).fileName());
            }
            return f.description;
        case LocationColumn:
            return program ? QFileInfo(f.file).fileName() + u':' + QString::number(f.line) : QString();
        }
        return {};
    case Qt::ToolTipRole:
        return program ? f.file + u':' + QString::number(f.line) : f.description;
    case FileRole:
        return f.file;
    case LineRole:
        return f.line;
    case Qt::ForegroundRole:
        return program ? QVariant() : QVariant(QBrush(QColor(110, 110, 110)));
    case Qt::FontRole:
        if (index.row() == 0) {
            QFont font;
            font.setBold(true);
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
