// Must not compile: core sits below the machine, so the runners' header is not visible to it.
#include <doeff/run.h>

int layeringCoreIncludesRun()
{
    return int(sizeof(doeff::RunOptions));
}
