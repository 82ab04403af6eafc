#include <doeff/doeff.h>
#include <stdexcept>
using namespace doeff;
struct ValueError : std::runtime_error { using std::runtime_error::runtime_error; };

Program<int> level3() {
    co_await Tell("in level3");
    throw ValueError("deep failure");
}

Program<int> level2() { co_return co_await level3(); }

Program<int> level1() {
    co_await Put("progress", 1);
    co_return co_await level2();
}
