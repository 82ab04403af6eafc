#pragma once

// A minimal HTTP/1.1 server on 127.0.0.1 for tests of real network I/O (tst_network,
// tst_replay): it runs on the test's event loop.

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

/// A minimal HTTP/1.1 server: /a, /b, … answer 200 with `page <name>`, /fail answers 500.
/// The first `batch` requests are held until all of them are waiting, then answered at once;
/// later requests are answered as they come.
class TinyHttpServer : public QObject {
public:
    explicit TinyHttpServer(int batch = 1)
        : m_batch(batch)
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = m_server.nextPendingConnection()) {
                QObject::connect(s, &QTcpSocket::readyRead, this, [this, s] { read(s); });
                QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    /// Stops listening: connections are refused from now on.
    void close() { m_server.close(); }
    QUrl url(const QString& path) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path));
    }
    /// Requests received, in arrival order (their paths).
    QStringList received;

private:
    void read(QTcpSocket* s)
    {
        QByteArray& request = m_partial[s];
        request += s->readAll();
        if (!request.contains("\r\n\r\n")) return; // the header is not complete yet
        received.append(QString::fromLatin1(request.split(' ').value(1)));
        m_waiting.append({ s, request.split(' ').value(1) });
        m_partial.remove(s);
        if (m_waiting.size() < m_batch) return;
        for (const auto& [socket, path] : std::as_const(m_waiting))
            if (socket) answer(socket, path);
        m_waiting.clear();
        m_batch = 1;
    }
    static void answer(QTcpSocket* s, const QByteArray& path)
    {
        const bool ok = path != "/fail";
        const QByteArray body = ok ? "page " + path.mid(1) : QByteArray("internal error");
        s->write((ok ? QByteArray("HTTP/1.1 200 OK") : QByteArray("HTTP/1.1 500 Internal Server Error"))
                 + "\r\nContent-Type: text/plain\r\nContent-Length: " + QByteArray::number(body.size())
                 + "\r\nConnection: close\r\n\r\n" + body);
        s->disconnectFromHost();
    }
    QTcpServer m_server;
    int m_batch;
    QHash<QTcpSocket*, QByteArray> m_partial;
    QList<std::pair<QPointer<QTcpSocket>, QByteArray>> m_waiting;
};
