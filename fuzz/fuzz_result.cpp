// Fuzzes the saved-result loader (the CBOR result document of RUNTIME.md §10.5): load, then
// format it both ways. Any input must load or throw ResultFileError naming what is wrong.

#include <doeff/errors.h>
#include <doeff/runtimeresult.h>

#include <QBuffer>
#include <QByteArray>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace doeff;
    QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    QBuffer device(&bytes);
    device.open(QIODevice::ReadOnly);
    try {
        const SavedResult result = load_result(device, QStringLiteral("fuzz.doeffresult"));
        (void)result.format(false);
        (void)result.format(true);
    } catch (const ResultFileError& e) {
        if (QString::fromUtf8(e.what()).isEmpty()) std::abort(); // errors must say something
    }
    return 0;
}
