#include <doeff/waitfor.h>
