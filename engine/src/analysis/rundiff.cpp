#include <doeff/rundiff.h>
