#include "provenancemodel.h"

#include <functional>

namespace doeff::views {

namespace {

QString fileLine(const char* file, int line)
{
    if (!file || line <= 0) return {};
    QString f = QString::fromUtf8(file);
    return f.mid(f.lastIndexOf(u'/') + 1) + u':' + QString::number(line);
}

QList<QStandardItem*> makeRow(const QString& what, quint64 step, int task, const QString& where)
{
    QList<QStandardItem*> row { new QStandardItem(what), new QStandardItem(QString::number(step)),
                                new QStandardItem(QString::number(task)), new QStandardItem(where) };
    for (QStandardItem* i : row) {
        i->setEditable(false);
        i->setData(QVariant::fromValue(step), ProvenanceModel::StepRole);
    }
    row[0]->setToolTip(what);
    return row;
}

QString sourceText(const ProvenanceSource& s)
{
    const QString value = repr(s.value);
    switch (s.kind) {
    case ProvenanceSource::Kind::Write:
        return QObject::tr("%1 = %2  (%3)").arg(s.key, value, s.label);
    case ProvenanceSource::Kind::Local:
        return QObject::tr("%1 = %2  (bound by %3)").arg(s.key, value, s.label);
    case ProvenanceSource::Kind::TaskResult:
        return QObject::tr("result of task %1 '%2' = %3").arg(s.task).arg(s.key, value);
    case ProvenanceSource::Kind::InitialStore:
    case ProvenanceSource::Kind::InitialEnv:
        return QObject::tr("%1 = %2  (%3)").arg(s.key, value, s.label);
    }
    return {};
}

} // namespace

ProvenanceModel::ProvenanceModel(QObject* parent)
    : QStandardItemModel(parent)
{
    setHorizontalHeaderLabels({ tr("Where it came from"), tr("Step"), tr("Task"), tr("Line") });
}

void ProvenanceModel::setChain(const Provenance& p, int source, const QString& message)
{
    removeRows(0, rowCount());
    m_readers = 0;
    if (source < 0) {
        if (!message.isEmpty()) {
            auto* item = new QStandardItem(message);
            item->setEditable(false);
            appendRow(item);
        }
        return;
    }
    std::function<void(QStandardItem*, const ProvenanceTree&)> add
        = [&](QStandardItem* parent, const ProvenanceTree& t) {
              const ProvenanceSource& s = p.source(t.source);
              QList<QStandardItem*> row = makeRow(sourceText(s), s.step, s.task, fileLine(s.file, s.line));
              parent->appendRow(row);
              QStandardItem* node = row.first();
              if (t.truncated) node->appendRow(new QStandardItem(tr("… (depth limit)")));
              if (t.moreInputs > 0) node->appendRow(new QStandardItem(tr("… %1 earlier reads").arg(t.moreInputs)));
              for (const ProvenanceTree::Input& in : t.inputs) {
                  const ProvenanceRead& r = p.read(in.read);
                  QString text = tr("read %1 → %2").arg(r.label, repr(r.value));
                  if (r.origin < 0) text += tr(" (origin unknown)");
                  if (in.seen) text += tr(" (from step %1, shown above)").arg(p.source(r.origin).step);
                  QList<QStandardItem*> readRow = makeRow(text, r.step, r.task, fileLine(r.file, r.line));
                  node->appendRow(readRow);
                  if (in.origin) add(readRow.first(), *in.origin);
              }
          };
    add(invisibleRootItem(), p.tree(source));
    const QList<int> readers = p.readers(source);
    m_readers = int(readers.size());
    auto* readBy = new QStandardItem(readers.isEmpty() ? tr("Read by: nobody") : tr("Read by %1").arg(readers.size()));
    readBy->setEditable(false);
    appendRow(readBy);
    for (int id : readers) {
        const ProvenanceRead& r = p.read(id);
        readBy->appendRow(makeRow(tr("%1 → %2").arg(r.label, repr(r.value)), r.step, r.task, fileLine(r.file, r.line)));
    }
}

} // namespace doeff::views
