/* A version 2 test plugin (still loads under ABI 3): an operation that never finishes in
   time, and one that fails. */
#include <stdio.h>
#include <unistd.h>

#include "latitude_plugin_v2.h"

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

/* Built the way a version 2 plugin is: the v2 operation layout and entry point, so the
   host's compatibility path is exercised. */
static const latitude_operation_v2 operations[] = {
    {"slow", "Sleeps past the time limit.", "{\"type\":\"object\"}", 1, 1, slow, 1, 0},
    {"broken", "Always fails.", "{\"type\":\"object\"}", 1, 1, broken, 1, 0},
};

static const latitude_plugin plugin = {2u, "test-slow", "0.0.1", (const latitude_operation *)operations, 2, NULL, 0};

const latitude_plugin *latitude_plugin_v2(const latitude_host *host) {
  (void)host;
  return &plugin;
}
