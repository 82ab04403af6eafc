// Control for the layering test: core sees its own headers.
#include <doeff/handler.h>
#include <doeff/program.h>

int layeringCoreAllowed()
{
    return int(sizeof(doeff::HandlerResult));
}
