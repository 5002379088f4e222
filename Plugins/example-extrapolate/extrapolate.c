/*
 * An example third-party Latitude plugin in plain C: the operation "extrapolate" continues
 * the line from node a through node b by a factor t (t = 1 gives b, t = 2 goes as far
 * again), and the axis provider "text-pair" makes an axis from one text to another.
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

/* Reads the string at "key" into out (no escapes handled; enough for an example). */
static int read_string(const char *json, const char *key, char *out, size_t capacity) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\"", key);
  const char *at = strstr(json, pattern);
  if (!at || !(at = strchr(at + strlen(pattern), '"'))) return 0;
  const char *end = strchr(++at, '"');
  if (!end || (size_t)(end - at) >= capacity) return 0;
  memcpy(out, at, (size_t)(end - at));
  out[end - at] = 0;
  return 1;
}

/* An axis provider: the direction from one text to another ("from" at -1, "to" at +1). */
static int text_pair(const latitude_host *host, const char *params_json, float *direction,
                     float *negative_mean, float *positive_mean, char *error, uint32_t error_capacity) {
  char from[1024], to[1024];
  if (!read_string(params_json, "from", from, sizeof from) || !read_string(params_json, "to", to, sizeof to)) {
    snprintf(error, error_capacity, "params need \"from\" and \"to\" texts");
    return 1;
  }
  uint32_t n = host->dimension;
  float *vectors = malloc(2 * n * sizeof(float));
  const char *texts[2] = {from, to};
  if (!vectors || host->encode(host->context, texts, 2, vectors) != 0) {
    free(vectors);
    snprintf(error, error_capacity, "encoding failed");
    return 1;
  }
  for (uint32_t d = 0; d < n; d++) direction[d] = vectors[n + d] - vectors[d];
  host->normalize(direction, n);
  *negative_mean = host->dot(vectors, direction, n);
  *positive_mean = host->dot(vectors + n, direction, n);
  free(vectors);
  return 0;
}

static const latitude_axis_provider providers[] = {
    {"text-pair", "An axis from one text (-1) to another (+1).",
     "{\"type\":\"object\",\"required\":[\"from\",\"to\"],\"properties\":{\"from\":{\"type\":\"string\"},"
     "\"to\":{\"type\":\"string\"}},\"additionalProperties\":false}",
     text_pair},
};

static const latitude_operation operations[] = {
    {"extrapolate", "Continue the line from a through b by a factor t.",
     "{\"type\":\"object\",\"properties\":{\"t\":{\"type\":\"number\",\"minimum\":0,\"maximum\":4}},"
     "\"additionalProperties\":false}",
     2, 2, extrapolate, 1, 0, LATITUDE_EFFECT_CREATE_NODES, LATITUDE_ORIGIN_DERIVED},
};

static const latitude_plugin plugin = {
    LATITUDE_PLUGIN_ABI_VERSION, "example-extrapolate", "0.1.0", operations, 1, providers, 1,
};

const latitude_plugin *latitude_plugin_v3(const latitude_host *host) {
  if (host->abi_version != LATITUDE_PLUGIN_ABI_VERSION) {
    host->log(host->context, LATITUDE_LOG_ERROR, "example-extrapolate needs plugin ABI 3");
    return NULL;
  }
  return &plugin;
}
