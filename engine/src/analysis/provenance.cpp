#include <doeff/provenance.h>
