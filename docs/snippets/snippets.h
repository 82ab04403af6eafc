#pragma once

// Each docs snippet file registers a check: the snippet's own code produces a text that the
// docs test compares with what the guide says it prints.

#include <QList>
#include <QString>

#include <functional>
#include <utility>

struct SnippetCheck {
    const char* name;
    std::function<QString()> actual;
    const char* expected;
};

inline QList<SnippetCheck>& snippetChecks()
{
    static QList<SnippetCheck> checks;
    return checks;
}

#define SNIPPET_CHECK(name, expr, expected)                                                                            \
    namespace {                                                                                                        \
    const bool registered_##name = [] {                                                                                \
        snippetChecks().append(SnippetCheck { #name, [] { return QString(expr); }, expected });                        \
        return true;                                                                                                   \
    }();                                                                                                               \
    }
