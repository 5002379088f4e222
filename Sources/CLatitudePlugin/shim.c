/* The ABI is header-only; this file gives SwiftPM a C target to import it from. */
#include "latitude_plugin.h"
