#pragma once

#include <doeff/agent.h>
#include <doeff/export.h>
#include <doeff/observer.h>
#include <doeff/runtimeresult.h>

#include <QString>

#include <memory>

/// The inspector: a run debugged from another process over a local socket
/// (docs/inspector-protocol.md). The debuggee side is InspectorServer, an observer that owns a
/// DebugAgent and connects out to the debugger's socket; the debugger side is InspectorClient
/// (doeff/inspectorclient.h).
namespace doeff {

namespace inspector {

/// Protocol versions this build speaks (the hello carries the range; the attach picks one).
/// Version 2 adds Fragment: a debuggee message over maxMessageSize travels in pieces. Version 3
/// adds CancelTask; version 4 the Command Resume (DebugAgent::Command::Resume).
inline constexpr quint32 minProtocolVersion = 1;
inline constexpr quint32 maxProtocolVersion = 4;
/// Largest message (length field) either side accepts; checked before any allocation.
inline constexpr quint32 maxMessageSize = 64u * 1024 * 1024;
/// Largest first message (hello / attach): a peer that is not ours is cut off early.
inline constexpr quint32 maxHandshakeSize = 64u * 1024;
/// Both handshakes start with these 8 bytes.
inline constexpr char magic[8] = { 'D', 'O', 'E', 'F', 'F', 'I', 'N', 'S' };
/// The environment variable naming the debugger's socket.
inline constexpr char environmentVariable[] = "DOEFF_INSPECT";
/// Overrides the handshake deadline (milliseconds; for tests and slow machines).
inline constexpr char handshakeVariable[] = "DOEFF_INSPECT_HANDSHAKE_MS";

enum class MessageType : quint8 {
    // debuggee → debugger
    Hello = 0x01,
    Events = 0x02,
    Paused = 0x03,
    Resumed = 0x04,
    Result = 0x05,
    Breakpoints = 0x06,
    Error = 0x07, ///< both directions
    Fragment = 0x08, ///< the first bytes of the next non-Fragment message's payload (version 2)
    // debugger → debuggee
    Attach = 0x10,
    Command = 0x11,
    RunToLine = 0x12,
    AddBreakpoint = 0x13,
    RemoveBreakpoint = 0x14,
    EnableBreakpoint = 0x15,
    Detach = 0x16,
    CancelTask = 0x17, ///< version 3
};

enum class ErrorCode : quint8 {
    Malformed = 1, ///< a message that does not decode
    UnsupportedVersion = 2,
    Oversized = 3,
    Unexpected = 4, ///< a message type that is unknown or not allowed now
    Internal = 5,
    Busy = 6, ///< the debugger already has a debuggee
};

/// What the debugger asks for when the connection is lost (sent in Attach).
enum class OnDisconnect : quint8 { Continue = 0, Stop = 1 };

DOEFF_EXPORT const char* messageTypeName(MessageType type);

} // namespace inspector

/// The debuggee side of the inspector protocol. Attach it to a run like any observer; it streams
/// the run's events to the debugger, pauses where the debugger's DebugAgent commands say and
/// answers commands on a helper thread. The runners create one by themselves when the
/// environment variable DOEFF_INSPECT names a socket (fromEnvironment()); without it nothing is
/// created and nothing is paid.
///
/// A lost or misbehaving debugger (garbage, unknown version, oversized message) gets an Error
/// reply and is disconnected; the run then goes on as if no debugger had been attached, or is
/// stopped (RunAbortedError) if the debugger asked for that in its Attach.
class DOEFF_EXPORT InspectorServer final : public Observer {
public:
    /// How a paused machine waits for the next command.
    enum class WaitMode : quint8 {
        /// Block the machine's thread (sync_run; the socket is served by a helper thread).
        Block,
        /// Run a nested QEventLoop on the machine's thread until a command arrives, so that the
        /// thread's event loop keeps delivering timers and I/O (async_run).
        EventLoop,
    };
    struct Options {
        QString socketName; ///< a QLocalSocket server name or path
        QString runner; ///< `sync` / `async` (reported in the hello)
        WaitMode wait = WaitMode::Block;
        int connectTimeoutMs = 10000;
        /// A debugger that has not attached this long after the connection is given up on
        /// (the run goes on). fromEnvironment() takes it from DOEFF_INSPECT_HANDSHAKE_MS.
        int handshakeTimeoutMs = 10000;
    };

    /// Connects to `options.socketName`. On failure isConnected() is false, errorString() says
    /// why, and the observer does nothing.
    explicit InspectorServer(Options options);
    ~InspectorServer() override;
    InspectorServer(const InspectorServer&) = delete;
    InspectorServer& operator=(const InspectorServer&) = delete;

    /// A server for DOEFF_INSPECT, or null when the variable is unset or already claimed by an
    /// earlier run of this process (the variable is cleared so that child processes and nested
    /// runs do not connect too). A connection failure is reported on stderr and gives null.
    static std::unique_ptr<InspectorServer> fromEnvironment(const QString& runner, WaitMode wait);

    bool isConnected() const;
    QString errorString() const;

    /// Sends the remaining events and the run's result, waits until they are written (or the
    /// debugger is gone) and closes the connection. Call once, after the run returned.
    void finish(const RuntimeResultBase& result);

    /// The agent the debugger drives (for tests and embedding; commands are thread-safe).
    DebugAgent& agent();

    void onEvent(const LiveEvent& event, const RunView& view) override;

    struct Private; ///< implementation (shared with the socket thread's object)

private:
    std::unique_ptr<Private> d;
};

} // namespace doeff
