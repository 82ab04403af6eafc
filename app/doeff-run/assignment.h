#pragma once

// `--env KEY=JSON` and `--store KEY=JSON`: the command line's only structured input, parsed
// apart from main() so that the fuzzer (fuzz/fuzz_assignment.cpp) reaches exactly this code.

#include <QString>
#include <QVariant>

namespace doeff::run {

/// One parsed `KEY=JSON`: the key and its value, or a message saying what was wrong.
struct Assignment {
    QString key;
    QVariant value;
    QString error; ///< empty when the assignment is valid

    bool ok() const { return error.isEmpty(); }
};

/// `KEY=JSON` → key and value. JSON scalars are accepted at the top level (`n=5`, `s="text"`),
/// as are arrays and objects. `option` ("env", "store") names the option in messages, which
/// quote at most 80 characters of the user's text.
Assignment parseAssignment(const QString& option, const QString& text);

/// A user's value as quoted in an error: at most 80 characters, then an ellipsis and the length.
QString excerpt(const QString& text);

} // namespace doeff::run
