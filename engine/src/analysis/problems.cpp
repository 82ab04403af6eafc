#include <doeff/problems.h>
