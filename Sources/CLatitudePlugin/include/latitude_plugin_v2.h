/*
 * latitude_plugin_v2.h — the host's view of version 2 plugins, which keep loading.
 *
 * Version 2's latitude_operation ends at max_outputs_per_input; a v2 plugin's operations
 * array has that stride, so the host reads it through this layout. Everything else
 * (host table, requests, results, axis providers, the plugin description) is unchanged.
 * Plugin authors: include latitude_plugin.h and export latitude_plugin_v3.
 */
#ifndef LATITUDE_PLUGIN_V2_H
#define LATITUDE_PLUGIN_V2_H

#include "latitude_plugin.h"

typedef struct latitude_operation_v2 {
  const char *name;
  const char *description;
  const char *params_schema;
  uint32_t min_inputs;
  uint32_t max_inputs;
  int (*run)(const latitude_host *host, const latitude_op_request *request,
             latitude_op_result *result);
  uint32_t max_outputs;
  uint32_t max_outputs_per_input;
} latitude_operation_v2;

#endif
