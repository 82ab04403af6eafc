#include <doeff/search.h>
