#pragma once

#include <doeff/export.h>

#include <QString>

namespace doeff {

/// Reads program source files for display. Files are read once and cached (thread-safe);
/// an unreadable file gives empty answers, never an error.
class DOEFF_EXPORT SourceInfo {
public:
    /// Text of line `line` (1-based) of `file`, trimmed; empty when unreadable.
    static QString lineText(const QString& file, int line);

    /// GCC reports a coroutine's location at the closing brace of its body. Given that line and
    /// the function's display name (`level3`, `app::fetch`, `lambda`), finds the line where the
    /// definition starts: match the closing brace backwards to its opening brace (skipping
    /// string/char literals and comments), then the nearest line at or before it that contains
    /// the unqualified name followed by `(` (for `lambda`: the line containing the opening
    /// brace). Falls back to `closingLine` when the file is unreadable or nothing matches.
    static int definitionLine(const QString& file, int closingLine, const QString& displayName);

    /// Forget cached files (tests; files edited while the Studio runs).
    static void clearCache();
};

} // namespace doeff
