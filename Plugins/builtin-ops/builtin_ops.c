/*
 * Latitude's built-in operations, as a native plugin on the public C ABI
 * (Sources/CLatitudePlugin/include/latitude_plugin.h), built by SwiftPM:
 *   move-along-axes  the minimal-norm latent change that hits target axis coordinates
 *   mix              spherical weighted mean (slerp for two) of two or more nodes
 *   blur             `count` seeded samples within an angle `radius` of a node
 *   analogy          a - b + c, normalised
 *   pca-layout       the top two principal directions of a selection, as axes
 */
#include "builtin_ops.h"
#include "params.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUTS 64
#define MAX_BLUR_SAMPLES 16

static int fail(latitude_op_result *result, const char *message) {
  if (result->error && result->error_capacity) {
    snprintf(result->error, result->error_capacity, "%s", message);
  }
  return 1;
}

/* targets: {"axisId": coordinate, ...} over the document's axes. */
static int move_along_axes(const latitude_host *host, const latitude_op_request *request,
                           latitude_op_result *result) {
  uint32_t n = host->dimension, k = 0;
  if (request->axis_count == 0) return fail(result, "the document has no axes");
  float *directions = calloc((size_t)request->axis_count * n, sizeof(float));
  float *targets = calloc(request->axis_count, sizeof(float));
  if (!directions || !targets) {
    free(directions);
    free(targets);
    return fail(result, "out of memory");
  }
  for (uint32_t a = 0; a < request->axis_count; a++) {
    double value;
    const latitude_axis *axis = &request->axes[a];
    if (!param_member_number(request->params_json, "targets", axis->id, &value)) continue;
    memcpy(directions + (size_t)k * n, axis->direction, n * sizeof(float));
    targets[k] = axis->negative_mean + (float)(value + 1) / 2 * (axis->positive_mean - axis->negative_mean);
    k++;
  }
  int status = 0;
  if (k == 0) {
    status = fail(result, "params.targets names none of the document's axes");
  } else {
    for (uint32_t i = 0; i < request->input_count && status == 0; i++) {
      if (host->move(request->inputs + (size_t)i * n, directions, targets, k,
                     result->outputs + (size_t)i * n, n) != 0) {
        status = fail(result, "the target coordinates cannot be reached");
      }
    }
    result->output_count = request->input_count;
  }
  free(directions);
  free(targets);
  return status;
}

/* weights: [w0, w1, ...] (default equal). Two inputs: slerp; more: normalised weighted sum. */
static int mix(const latitude_host *host, const latitude_op_request *request,
               latitude_op_result *result) {
  uint32_t n = host->dimension, count = request->input_count;
  double weights[MAX_INPUTS];
  uint32_t given = param_numbers(request->params_json, "weights", weights, MAX_INPUTS);
  if (given && given != count) return fail(result, "params.weights needs one weight per input");
  double total = 0;
  for (uint32_t i = 0; i < count; i++) {
    if (!given) weights[i] = 1;
    if (weights[i] < 0) return fail(result, "weights must not be negative");
    total += weights[i];
  }
  if (total <= 0) return fail(result, "the weights sum to zero");
  float *out = result->outputs;
  if (count == 2) {
    host->slerp(request->inputs, request->inputs + n, (float)(weights[1] / total), out, n);
  } else {
    memset(out, 0, n * sizeof(float));
    for (uint32_t i = 0; i < count; i++) {
      for (uint32_t d = 0; d < n; d++) out[d] += (float)(weights[i] / total) * request->inputs[(size_t)i * n + d];
    }
    host->normalize(out, n);
  }
  result->output_count = 1;
  return 0;
}

static uint64_t splitmix(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double gaussian(uint64_t *state) {
  double u1 = ((splitmix(state) >> 11) + 1.0) / 9007199254740993.0;
  double u2 = (splitmix(state) >> 11) / 9007199254740992.0;
  return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* radius (radians, default 0.3), count (default 4), seed (default 1). */
static int blur(const latitude_host *host, const latitude_op_request *request,
                latitude_op_result *result) {
  uint32_t n = host->dimension;
  double radius = param_number(request->params_json, "radius", 0.3);
  double count = param_number(request->params_json, "count", 4);
  uint64_t state = (uint64_t)param_number(request->params_json, "seed", 1);
  if (!(radius > 0 && radius <= M_PI / 2)) return fail(result, "radius must be in (0, pi/2]");
  if (count < 1 || count > result->max_outputs) return fail(result, "count is out of range");
  const float *center = request->inputs;
  for (uint32_t s = 0; s < (uint32_t)count; s++) {
    float *out = result->outputs + (size_t)s * n;
    for (uint32_t d = 0; d < n; d++) out[d] = (float)gaussian(&state);
    float along = host->dot(out, center, n);
    for (uint32_t d = 0; d < n; d++) out[d] -= along * center[d];
    host->normalize(out, n);
    /* Angles spread uniformly in (0, radius]. */
    double angle = radius * ((splitmix(&state) >> 11) + 1.0) / 9007199254740992.0;
    for (uint32_t d = 0; d < n; d++) out[d] = (float)(cos(angle) * center[d] + sin(angle) * out[d]);
    host->normalize(out, n);
  }
  result->output_count = (uint32_t)count;
  return 0;
}

/* inputs a, b, c (in that order): normalise(a - b + c). */
static int analogy(const latitude_host *host, const latitude_op_request *request,
                   latitude_op_result *result) {
  uint32_t n = host->dimension;
  const float *a = request->inputs, *b = a + n, *c = b + n;
  for (uint32_t d = 0; d < n; d++) result->outputs[d] = a[d] - b[d] + c[d];
  host->normalize(result->outputs, n);
  result->output_count = 1;
  return 0;
}

/* The top two principal directions of the selection, oriented and calibrated so the
   selection's extremes sit at -1 and +1. */
static int pca_layout(const latitude_host *host, const latitude_op_request *request,
                      latitude_op_result *result) {
  uint32_t n = host->dimension, count = request->input_count;
  if (host->principal_components(request->inputs, count, 2, result->outputs, n) != 0) {
    return fail(result, "principal components failed");
  }
  for (uint32_t axis = 0; axis < 2; axis++) {
    const float *direction = result->outputs + (size_t)axis * n;
    float low = INFINITY, high = -INFINITY;
    for (uint32_t i = 0; i < count; i++) {
      float p = host->dot(request->inputs + (size_t)i * n, direction, n);
      if (p < low) low = p;
      if (p > high) high = p;
    }
    if (high - low < 1e-6f) return fail(result, "the selection has no spread");
    result->negative_means[axis] = low;
    result->positive_means[axis] = high;
  }
  result->output_count = 2;
  result->output_kind = LATITUDE_OUTPUT_AXES;
  return 0;
}

static const latitude_operation operations[] = {
    {"move-along-axes", "Move nodes to target coordinates with the smallest latent change.",
     "{\"type\":\"object\",\"required\":[\"targets\"],\"properties\":{\"targets\":{\"type\":\"object\","
     "\"additionalProperties\":{\"type\":\"number\",\"minimum\":-10,\"maximum\":10}}},\"additionalProperties\":false}",
     1, MAX_INPUTS, move_along_axes, 0, 1, LATITUDE_EFFECT_UPDATE_INPUTS, 0},
    {"mix", "Blend two or more nodes (slerp for two) into a new node.",
     "{\"type\":\"object\",\"properties\":{\"weights\":{\"type\":\"array\",\"items\":{\"type\":\"number\","
     "\"minimum\":0}}},\"additionalProperties\":false}",
     2, MAX_INPUTS, mix, 1, 0, LATITUDE_EFFECT_CREATE_NODES, LATITUDE_ORIGIN_MIXED},
    {"blur", "Sample nodes within an angle of a node.",
     "{\"type\":\"object\",\"properties\":{\"radius\":{\"type\":\"number\",\"minimum\":0.01,\"maximum\":1.5},"
     "\"count\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":16},\"seed\":{\"type\":\"integer\",\"minimum\":0}},"
     "\"additionalProperties\":false}",
     1, 1, blur, MAX_BLUR_SAMPLES, 0, LATITUDE_EFFECT_CREATE_NODES, LATITUDE_ORIGIN_SAMPLED},
    {"analogy", "a - b + c: what c becomes when changed the way b became a.",
     "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}", 3, 3, analogy, 1, 0,
     LATITUDE_EFFECT_CREATE_NODES, LATITUDE_ORIGIN_DERIVED},
    {"pca-layout", "Principal axes of a selection, bound to the view.",
     "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}", 3, 1000, pca_layout, 2, 0,
     LATITUDE_EFFECT_CREATE_NODES, LATITUDE_ORIGIN_DERIVED},
};

static const latitude_plugin plugin = {
    LATITUDE_PLUGIN_ABI_VERSION, "builtin-ops", "1.0.0", operations,
    sizeof(operations) / sizeof(operations[0]), NULL, 0,
};

const latitude_plugin *latitude_plugin_v3(const latitude_host *host) {
  if (host->abi_version != LATITUDE_PLUGIN_ABI_VERSION) return NULL;
  return &plugin;
}
