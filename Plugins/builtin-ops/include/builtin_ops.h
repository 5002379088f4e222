/* Latitude's built-in operations plugin: see builtin_ops.c. */
#ifndef LATITUDE_BUILTIN_OPS_H
#define LATITUDE_BUILTIN_OPS_H
#include "latitude_plugin.h"
const latitude_plugin *latitude_plugin_v2(const latitude_host *host);
#endif
