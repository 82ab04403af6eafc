#pragma once

#include <QLabel>
#include <QResizeEvent>

namespace doeff::studio {

/// A status-bar label that takes the room left and shows as much of its text as fits, ending in
/// "…" (the whole text in its tooltip), instead of widening the bar and squeezing its neighbours:
/// a long result summary cut the "Viewing the past" reason in the middle of a word.
class ElidingLabel : public QLabel {
public:
    explicit ElidingLabel(QWidget* parent = nullptr)
        : QLabel(parent)
    {
        setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        setMinimumWidth(0);
    }

    void setFullText(const QString& text)
    {
        m_full = text;
        elide();
    }
    const QString& fullText() const { return m_full; }

protected:
    void resizeEvent(QResizeEvent* event) override
    {
        QLabel::resizeEvent(event);
        elide();
    }

private:
    void elide()
    {
        const QString shown = fontMetrics().elidedText(m_full, Qt::ElideRight, contentsRect().width());
        setText(shown);
        setToolTip(shown == m_full ? QString() : m_full);
    }

    QString m_full;
};

} // namespace doeff::studio
