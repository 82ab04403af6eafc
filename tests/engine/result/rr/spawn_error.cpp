#include <doeff/doeff.h>
#include <stdexcept>
using namespace doeff;
struct RuntimeError : std::runtime_error { using std::runtime_error::runtime_error; };

Program<int> worker() {
    throw RuntimeError("worker crashed");
    co_return 0;
}

static Program<int> main_flow() {
    Task<int> task = co_await Spawn(worker());
    co_return co_await Wait(task);
}

// The test reaches the program through this accessor (main_flow is file-local).
Program<int> rr_spawn_error_main() { return main_flow(); }
