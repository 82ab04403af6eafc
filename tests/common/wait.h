#pragma once

// Waiting on signals instead of sleeping (STYLE.md rule 17).

#include <QDeadlineTimer>
#include <QSignalSpy>

namespace testcommon {

/// Runs the event loop until `done()` holds or `timeoutMs` passes, waking at each `signal` of
/// `sender` and at least every 100 ms; returns done().
template<class Sender, class Signal, class Done>
bool waitUntil(const Sender* sender, Signal signal, Done done, int timeoutMs)
{
    QSignalSpy spy(sender, signal);
    QDeadlineTimer deadline(timeoutMs);
    while (!done() && !deadline.hasExpired())
        spy.wait(100);
    return done();
}

} // namespace testcommon
