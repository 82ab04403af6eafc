#pragma once

#include <doeff/provenance.h>

#include <QStandardItemModel>

namespace doeff::views {

/// A provenance chain (doeff/provenance.h) as a tree: the value's source, under it the reads
/// its program made before writing it, under each read the source it read, and so on back to
/// the start of the run; then "Read by": every later read of the value. Each row has its step
/// (StepRole) so that a click can travel there.
class ProvenanceModel final : public QStandardItemModel {
    Q_OBJECT
public:
    enum Columns { WhatColumn, StepColumn, TaskColumn, WhereColumn, NUM_COLUMNS };
    enum Roles { StepRole = Qt::UserRole + 1 };

    explicit ProvenanceModel(QObject* parent = nullptr);
    /// Shows the chain of `source` and its readers; a negative source shows `message` instead.
    void setChain(const Provenance& provenance, int source, const QString& message = {});
    /// The rows "Read by" lists.
    int readerCount() const { return m_readers; }

private:
    int m_readers = 0;
};

} // namespace doeff::views
