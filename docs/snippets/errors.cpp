#include <doeff/doeff.h>

#include "snippets.h"

using namespace doeff;

// [snippet]
struct BadInput : std::runtime_error {
    using std::runtime_error::runtime_error;
};

Program<int> parse(QString text)
{
    bool ok = false;
    int n = text.toInt(&ok);
    if (!ok) throw BadInput("not a number: " + text.toStdString());
    co_return n;
}

Program<QString> tolerant()
{
    Result<int> good = co_await Safe(parse("12")); // Ok(12)
    Result<int> bad = co_await Safe(parse("twelve")); // Err(BadInput: not a number: twelve)
    QString note;
    try {
        co_await parse("x"); // try/catch works around any co_await
    } catch (const BadInput& e) {
        note = e.what(); // (C++ forbids co_await inside a catch block)
    }
    co_await Tell(note);
    co_return QString::number(good.value()) + " / " + bad.error().describe();
}
// [/snippet]

SNIPPET_CHECK(errors, sync_run(tolerant(), sync_handlers_preset()).format(),
              "Ok('12 / BadInput: not a number: twelve')")
