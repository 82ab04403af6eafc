#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QObject>

class QSocketNotifier;

namespace doeff::dap {

/// The Debug Adapter Protocol's base protocol on a pair of file descriptors: each message is a
/// `Content-Length: N` header block, an empty line, and N bytes of UTF-8 JSON. Input that does not
/// follow it (a header without a length, a length that is not a number or too big, a body that is
/// not a JSON object) is reported by malformed() and skipped, and reading goes on with the next
/// header; the transport never gives up on its peer. Writes are synchronous and flushed.
class Transport final : public QObject {
    Q_OBJECT
public:
    /// The largest body accepted (a launch with a big store is well below it).
    static constexpr qsizetype MaxBody = 64 * 1024 * 1024;

    Transport(int readFd, int writeFd, QObject* parent = nullptr);
    ~Transport() override;

    void send(const QJsonObject& message);
    /// Feeds bytes as if read (tests and fuzzing); messages are emitted before this returns.
    void feed(const QByteArray& bytes);

Q_SIGNALS:
    void messageReceived(const QJsonObject& message);
    /// What was wrong with the input that was skipped.
    void malformed(const QString& problem);
    /// The input ended (the client closed its end).
    void closed();

private:
    void readAvailable();
    void parse();

    int m_readFd;
    int m_writeFd;
    QSocketNotifier* m_notifier = nullptr;
    QByteArray m_buffer;
    qsizetype m_bodyLength = -1; ///< the body being waited for, or -1 while reading a header
};

} // namespace doeff::dap
