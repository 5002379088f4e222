/*
 * An example third-party Latitude plugin in plain C: "extrapolate" continues the line
 * from node a through node b by a factor t (t = 1 gives b, t = 2 goes as far again).
 *
 * Build (no SwiftPM needed; only the ABI header):
 *   cc -O2 -shared -fPIC -I Sources/CLatitudePlugin/include \
 *      -o plugins/libextrapolate.so Plugins/example-extrapolate/extrapolate.c -lm
 * Load:
 *   latitude serve --plugins plugins
 * See docs/WRITING-A-PLUGIN.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "latitude_plugin.h"

static double read_t(const char *json) {
  const char *at = strstr(json, "\"t\"");
  if (!at) return 2.0;
  at = strchr(at, ':');
  return at ? strtod(at + 1, NULL) : 2.0;
}

static int extrapolate(const latitude_host *host, const latitude_op_request *request,
                       latitude_op_result *result) {
  uint32_t n = host->dimension;
  double t = read_t(request->params_json);
  if (!(t >= 0 && t <= 4)) {
    snprintf(result->error, result->error_capacity, "t must be between 0 and 4");
    return 1;
  }
  const float *a = request->inputs, *b = a + n;
  for (uint32_t d = 0; d < n; d++) result->outputs[d] = (float)(a[d] + t * (b[d] - a[d]));
  host->normalize(result->outputs, n);
  result->output_count = 1;
  return 0;
}

static const latitude_operation operations[] = {
    {"extrapolate", "Continue the line from a through b by a factor t.",
     "{\"type\":\"object\",\"properties\":{\"t\":{\"type\":\"number\",\"minimum\":0,\"maximum\":4}},"
     "\"additionalProperties\":false}",
     2, 2, extrapolate},
};

static const latitude_plugin plugin = {
    LATITUDE_PLUGIN_ABI_VERSION, "example-extrapolate", "0.1.0", operations, 1, NULL, 0,
};

const latitude_plugin *latitude_plugin_v1(const latitude_host *host) {
  if (host->abi_version != LATITUDE_PLUGIN_ABI_VERSION) {
    host->log(host->context, LATITUDE_LOG_ERROR, "example-extrapolate needs plugin ABI 1");
    return NULL;
  }
  return &plugin;
}
