#include <doeff/doeff.h>
#include <stdexcept>
using namespace doeff;
Program<QVariantMap> answer_flow() {
    co_await Put("count", 3);
    co_await Tell("hello");
    co_return QVariantMap{{"answer", 42}};
}
