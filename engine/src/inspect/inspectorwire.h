#pragma once

// Framing and field helpers of the inspector protocol (docs/inspector-protocol.md), shared by
// the server (debuggee) and the client (debugger). Messages are `u32 length | u8 type | payload`
// with the integer and value encodings of the trace format (tracecodec.h).

#include "tracecodec.h"

#include <doeff/inspector.h>

#include <QByteArray>
#include <QIODevice>
#include <QString>

namespace doeff::inspector::wire {

/// Builds one message; finish() patches the length.
class MessageWriter {
public:
    explicit MessageWriter(MessageType type)
    {
        m_w.need(5);
        m_w.fixed32(0);
        m_w.u8(quint8(type));
    }
    void u8(quint8 v) { m_w.putU8(v); }
    void var(quint64 v) { m_w.putVar(v); }
    void svar(qint64 v) { m_w.putSvar(v); }
    void bytes(const char* p, qsizetype n) { m_w.putBytes(p, size_t(n)); }
    void bytes(const QByteArray& b) { bytes(b.constData(), b.size()); }
    /// `str`: var length, UTF-8 bytes.
    void str(const QString& s)
    {
        const QByteArray b = s.toUtf8();
        var(quint64(b.size()));
        bytes(b);
    }
    trace::Writer& writer() { return m_w; }
    QByteArray finish()
    {
        const quint32 n = quint32(m_w.size() - 4);
        quint8* p = m_w.data();
        for (int i = 0; i < 4; ++i)
            p[i] = quint8(n >> (8 * i));
        return m_w.toByteArray();
    }

private:
    trace::Writer m_w;
};

inline QString readStr(trace::Cursor& c)
{
    const quint64 n = c.var();
    const quint8* p = c.take(n);
    return QString::fromUtf8(reinterpret_cast<const char*>(p), qsizetype(n));
}

/// One complete message taken off a device.
struct Message {
    MessageType type = MessageType::Error;
    QByteArray payload;
};

/// Splits a byte stream into messages. The length is checked against the limit before anything
/// is allocated for the message.
class FrameReader {
public:
    enum class Status { NeedMore, Ready, Oversized, Empty };
    /// Tries to take one message from `device`.
    Status next(QIODevice& device, quint32 limit, Message& out, quint32& length)
    {
        if (device.bytesAvailable() < 4) return Status::NeedMore;
        char h[4];
        if (device.peek(h, 4) != 4) return Status::NeedMore;
        length = 0;
        for (int i = 0; i < 4; ++i)
            length |= quint32(quint8(h[i])) << (8 * i);
        if (length > limit) return Status::Oversized;
        if (length == 0) return Status::Empty;
        if (device.bytesAvailable() < qint64(length) + 4) return Status::NeedMore;
        device.skip(4);
        char type = 0;
        device.getChar(&type);
        out.type = MessageType(quint8(type));
        out.payload = device.read(qint64(length) - 1);
        return Status::Ready;
    }
};

inline trace::Cursor cursorOver(const QByteArray& payload)
{
    const auto* p = reinterpret_cast<const quint8*>(payload.constData());
    return trace::Cursor(p, p + payload.size(), 0);
}

inline QByteArray errorMessage(ErrorCode code, const QString& text)
{
    MessageWriter m(MessageType::Error);
    m.var(quint8(code));
    m.str(text);
    return m.finish();
}

} // namespace doeff::inspector::wire
