#pragma once

#include <QString>

#include <functional>

namespace doeff::studio {

class MainWindow;

/// Opens the file named on the command line and reports once how that went: `done(true, {})`
/// when it is shown (a trace or a result; for a program library, when its program started),
/// `done(false, message)` when it could not be opened. Only this first document is reported:
/// whatever the user opens later (File ▸ Open) is the window's business, and a failure there
/// must not end the process.
void openCommandLineFile(MainWindow& window, const QString& path, const QString& program,
                         std::function<void(bool ok, const QString& message)> done);

} // namespace doeff::studio
