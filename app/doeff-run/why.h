#pragma once

#include <QString>
#include <QStringList>
#include <QTextStream>

namespace doeff::run {

/// `doeff-run --why WHAT [--at STEP] FILE`: where a value of a recorded run came from (its
/// provenance chain back to the start of the run) and who read it. WHAT is a store key of the
/// main task (`total`), a key of task N's store (`total@2`), an env key (`env:factor`, `env:factor@2`)
/// or a task's result (`task:2`). Returns the exit status (0, or 2 with a message on `err`).
int why(const QString& what, const QString& at, const QStringList& files, QTextStream& out, QTextStream& err);

} // namespace doeff::run
