#include "transport.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QSocketNotifier>

#include <cerrno>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace doeff::dap {

Transport::Transport(int readFd, int writeFd, QObject* parent)
    : QObject(parent)
    , m_readFd(readFd)
    , m_writeFd(writeFd)
{
    if (m_readFd >= 0) {
        m_notifier = new QSocketNotifier(m_readFd, QSocketNotifier::Read, this);
        connect(m_notifier, &QSocketNotifier::activated, this, &Transport::readAvailable);
    }
}

Transport::~Transport() = default;

void Transport::readAvailable()
{
    char chunk[65536];
    const ssize_t n = ::read(m_readFd, chunk, sizeof chunk);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {
        m_notifier->setEnabled(false);
        Q_EMIT closed();
        return;
    }
    feed(QByteArray(chunk, n));
}

void Transport::feed(const QByteArray& bytes)
{
    m_buffer.append(bytes);
    parse();
}

void Transport::parse()
{
    for (;;) {
        if (m_bodyLength < 0) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0) {
                // a header block is a few dozen bytes: a long run without its end is not one
                if (m_buffer.size() > 8192) {
                    Q_EMIT malformed(u"a header of more than 8192 bytes without an empty line after it"_s);
                    m_buffer.clear();
                }
                return;
            }
            const QByteArray header = m_buffer.left(end);
            m_buffer.remove(0, end + 4);
            qsizetype length = -1;
            QString problem;
            for (const QByteArray& line : header.split('\n')) {
                const QByteArray field = line.trimmed();
                if (field.isEmpty()) continue;
                const qsizetype colon = field.indexOf(':');
                if (colon <= 0) {
                    problem = u"a header line without a colon: '%1'"_s.arg(QString::fromUtf8(field.left(80)));
                    break;
                }
                if (field.left(colon).trimmed().compare("Content-Length", Qt::CaseInsensitive) != 0) continue;
                bool ok = false;
                const QByteArray value = field.mid(colon + 1).trimmed();
                length = value.toLongLong(&ok);
                if (!ok || length < 0) {
                    problem = u"Content-Length is not a number: '%1'"_s.arg(QString::fromUtf8(value.left(40)));
                    length = -1;
                } else if (length > MaxBody) {
                    problem = u"Content-Length %1 is larger than the %2 bytes accepted"_s.arg(length).arg(MaxBody);
                    length = -1;
                }
                break;
            }
            if (problem.isEmpty() && length < 0) problem = u"a header without Content-Length"_s;
            if (!problem.isEmpty()) {
                Q_EMIT malformed(problem);
                continue;
            }
            m_bodyLength = length;
        }
        if (m_buffer.size() < m_bodyLength) return;
        const QByteArray body = m_buffer.left(m_bodyLength);
        m_buffer.remove(0, m_bodyLength);
        m_bodyLength = -1;
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(body, &error);
        if (error.error != QJsonParseError::NoError)
            Q_EMIT malformed(u"the body is not JSON (%1 at byte %2)"_s.arg(error.errorString()).arg(error.offset));
        else if (!document.isObject())
            Q_EMIT malformed(u"the body is JSON but not an object"_s);
        else
            Q_EMIT messageReceived(document.object());
    }
}

void Transport::send(const QJsonObject& message)
{
    const QByteArray body = QJsonDocument(message).toJson(QJsonDocument::Compact);
    const QByteArray bytes = "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    if (m_writeFd < 0) return;
    const char* p = bytes.constData();
    qsizetype left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(m_writeFd, p, size_t(left));
        if (n < 0) {
            if (errno == EINTR) continue;
            return; // the client is gone; the closed input ends the adapter
        }
        p += n;
        left -= n;
    }
}

} // namespace doeff::dap
