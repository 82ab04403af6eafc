#pragma once

#if defined(DOEFF_BUILDING_ENGINE)
#define DOEFF_EXPORT __attribute__((visibility("default")))
#else
#define DOEFF_EXPORT
#endif
