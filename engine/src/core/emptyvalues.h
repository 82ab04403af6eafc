#pragma once

// Whether a QVariant holds nothing, told inline, and emptying a QVariant or a QString only when
// it holds something. QVariant's destructor, isValid() and assignments are calls into Qt even
// for a value that holds nothing, and the hot paths do this millions of times: the machine's
// per-effect Outcome, and the trace decoder's event, reused from record to record.

#include <doeff/value.h> // holdsNothing()

#include <QString>
#include <QVariant>

namespace doeff::detail {

/// v = QVariant(), without a call into Qt when it holds nothing already.
Q_ALWAYS_INLINE void clearValue(QVariant& v)
{
    if (!holdsNothing(v)) v = QVariant();
}

/// s = QString(), without a call into Qt when it is null already.
Q_ALWAYS_INLINE void clearText(QString& s)
{
    if (!s.isNull()) s = QString();
}

} // namespace doeff::detail
