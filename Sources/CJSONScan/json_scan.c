// The functions are static inline in include/json_scan.h (inlined into Swift);
// SwiftPM wants a source file in a C target.
#include "json_scan.h"
