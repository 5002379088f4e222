/* Test plugins that break the ABI's output bounds: the host must refuse their results (and
   disable them) instead of trusting the counts they return. */
#include <string.h>

#include "latitude_plugin.h"

/* Declares one output, writes two (the second lands in the host's guard region). */
static int overrun(const latitude_host *host, const latitude_op_request *request, latitude_op_result *result) {
  uint32_t n = host->dimension;
  for (uint32_t i = 0; i < 2 * n; i++) result->outputs[i] = request->inputs[i % n];
  result->output_count = 1;
  return 0;
}

/* Writes within its buffer but claims far more outputs than it was given room for. */
static int overcount(const latitude_host *host, const latitude_op_request *request, latitude_op_result *result) {
  memcpy(result->outputs, request->inputs, host->dimension * sizeof(float));
  result->output_count = 1000000;
  return 0;
}

/* An unknown output kind. */
static int badkind(const latitude_host *host, const latitude_op_request *request, latitude_op_result *result) {
  memcpy(result->outputs, request->inputs, host->dimension * sizeof(float));
  result->output_count = 1;
  result->output_kind = 77;
  return 0;
}

static const latitude_operation operations[] = {
    {"overrun", "Writes past its declared outputs.", "{\"type\":\"object\"}", 1, 1, overrun, 1, 0},
    {"overcount", "Returns a count over its bound.", "{\"type\":\"object\"}", 1, 1, overcount, 1, 0},
};

/* Declares that it updates its inputs, then returns one output for two inputs. */
static int badupdate(const latitude_host *host, const latitude_op_request *request, latitude_op_result *result) {
  memcpy(result->outputs, request->inputs, host->dimension * sizeof(float));
  result->output_count = 1;
  return 0;
}

static const latitude_operation kind_operations[] = {
    {"badkind", "Returns an unknown output kind.", "{\"type\":\"object\"}", 1, 1, badkind, 1, 0},
    {"badupdate", "Updates two inputs with one output.", "{\"type\":\"object\"}", 2, 2, badupdate, 0, 1,
     LATITUDE_EFFECT_UPDATE_INPUTS, 0},
};

static const latitude_plugin plugin = {LATITUDE_PLUGIN_ABI_VERSION, "test-overrun", "0.0.1", operations, 2, NULL, 0};
static const latitude_plugin kind_plugin = {LATITUDE_PLUGIN_ABI_VERSION, "test-badkind", "0.0.1", kind_operations, 2, NULL, 0};

const latitude_plugin *latitude_plugin_v3(const latitude_host *host) {
  (void)host;
#ifdef BADKIND
  return &kind_plugin;
#else
  (void)kind_plugin;
  return &plugin;
#endif
}
