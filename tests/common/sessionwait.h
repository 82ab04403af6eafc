#pragma once

// Waiting for a StudioSession (views and Studio suites; they link doeff_views).

#include "wait.h"

#include <studiosession.h>

namespace testcommon {

/// Only turns a hang into a failure.
constexpr int SessionTimeoutMs = 20000;

/// Waits for the next pause; false when the run ended (or nothing happened) instead.
inline bool waitPaused(const doeff::views::StudioSession* s, int timeoutMs = SessionTimeoutMs)
{
    waitUntil(
        s, &doeff::views::StudioSession::statusChanged, [&] { return s->isPaused() || s->hasResult(); }, timeoutMs);
    return s->isPaused();
}

inline bool waitResult(const doeff::views::StudioSession* s, int timeoutMs = SessionTimeoutMs)
{
    return waitUntil(
        s, &doeff::views::StudioSession::resultChanged, [&] { return s->hasResult(); }, timeoutMs);
}

/// Waits until the run ended without a result (the debuggee died).
inline bool waitLost(const doeff::views::StudioSession* s, int timeoutMs = SessionTimeoutMs)
{
    waitUntil(
        s, &doeff::views::StudioSession::statusChanged,
        [&] { return s->status() == doeff::views::RunStatus::Lost || s->hasResult(); }, timeoutMs);
    return s->status() == doeff::views::RunStatus::Lost;
}

} // namespace testcommon
