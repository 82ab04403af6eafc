#pragma once

#include <QString>
#include <QTextStream>

#include <optional>

/// doeff-run --explain FILE [--at STEP]: the wait-for graph of a trace (at STEP; by default at
/// its first deadlock, else its last step) or of a saved result (its deadlock report), as text.
/// Returns the exit status: 0, or 2 when FILE is neither or STEP is out of range (the message on
/// `err`).
int explainFile(const QString& path, std::optional<quint64> at, QTextStream& out, QTextStream& err);
