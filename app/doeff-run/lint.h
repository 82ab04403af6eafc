#pragma once

#include <QString>
#include <QTextStream>

/// doeff-run --lint FILE: the problems of a trace (doeff/problems.h), one a line; for a saved
/// result, what it keeps (a deadlock, unobserved failures). Returns the exit status: 1 when an
/// error-level problem exists, else 0; 2 when FILE is neither (the message on `err`).
int lintFile(const QString& path, QTextStream& out, QTextStream& err);
