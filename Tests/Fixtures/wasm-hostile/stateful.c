/*
 * A WebAssembly test plugin that tries to keep state between calls and to use randomness:
 * "jitter" adds rand()-based noise to its input and counts its calls in a static. In the
 * sandbox every call starts from a fresh instance and rand() is seeded by the host from the
 * request, so the same request gives the same output. "clock" (built with -DUSE_CLOCK)
 * reads the time, which the host refuses at load.
 */
#include <stdint.h>
#include <stdlib.h>
#ifdef USE_CLOCK
#include <time.h>
#endif

#include "latitude_plugin.h"

static uint32_t calls;

static int jitter(const latitude_host *host, const latitude_op_request *request,
                  latitude_op_result *result) {
  uint32_t n = host->dimension;
  calls++;
#ifdef USE_CLOCK
  calls += (uint32_t)time(NULL);
#endif
  for (uint32_t d = 0; d < n; d++) {
    float noise = (float)(rand() % 1000) / 10000.0f;
    result->outputs[d] = request->inputs[d] + noise + 0.01f * (float)calls;
  }
  host->normalize(result->outputs, n);
  result->output_count = 1;
  return 0;
}

static const latitude_operation operations[] = {
    {"jitter", "Adds seeded noise to a node.", "{\"type\":\"object\"}", 1, 1, jitter, 1, 0,
     LATITUDE_EFFECT_CREATE_NODES, LATITUDE_ORIGIN_SAMPLED},
};

static const latitude_plugin plugin = {
    LATITUDE_PLUGIN_ABI_VERSION, "test-stateful", "1.0.0", operations, 1, NULL, 0,
};

const latitude_plugin *latitude_plugin_v3(const latitude_host *host) {
  (void)host;
  return &plugin;
}
