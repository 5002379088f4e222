/* A test plugin whose operation never finishes in time, and one that fails. */
#include <stdio.h>
#include <unistd.h>

#include "latitude_plugin.h"

static int slow(const latitude_host *host, const latitude_op_request *request, latitude_op_result *result) {
  (void)host;
  (void)request;
  (void)result;
  sleep(4);
  return 0;
}

static int broken(const latitude_host *host, const latitude_op_request *request, latitude_op_result *result) {
  (void)host;
  (void)request;
  snprintf(result->error, result->error_capacity, "this operation always fails");
  return 7;
}

static const latitude_operation operations[] = {
    {"slow", "Sleeps past the time limit.", "{\"type\":\"object\"}", 1, 1, slow, 1, 0},
    {"broken", "Always fails.", "{\"type\":\"object\"}", 1, 1, broken, 1, 0},
};

static const latitude_plugin plugin = {LATITUDE_PLUGIN_ABI_VERSION, "test-slow", "0.0.1", operations, 2, NULL, 0};

const latitude_plugin *latitude_plugin_v2(const latitude_host *host) {
  (void)host;
  return &plugin;
}
