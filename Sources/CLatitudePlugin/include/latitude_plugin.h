/*
 * latitude_plugin.h — the native plugin ABI of Latitude, version 3.
 *
 * A plugin is a shared library that exports one symbol:
 *
 *     const latitude_plugin *latitude_plugin_v3(const latitude_host *host);
 *
 * The host calls it once at load with its function table and keeps the returned
 * description for the life of the process (plugins are never unloaded). Return NULL to
 * refuse to load (log why through host->log first).
 *
 * Plugins never decode text. Operations take latents (unit vectors of host->dimension
 * floats) and return latents or axis directions; the host decodes results through its own
 * pool, coalescing and cache.
 *
 * CALL RULES
 *  - Calls may come concurrently from several host threads. Keep no unsynchronised
 *    mutable global state.
 *  - Every buffer is owned by the host and valid only for the duration of the call. Copy
 *    what you need to keep.
 *  - Return 0 for success. On failure return nonzero and write a short reason into
 *    result->error (NUL-terminated, at most error_capacity bytes): the request that made
 *    the call is refused with that reason and nothing else is affected.
 *  - A call that overruns the host's time limit has its result discarded; a plugin that
 *    keeps timing out is disabled.
 *
 * OUTPUT BOUNDS (new in version 2)
 *  Each operation declares at load the most outputs one call may write:
 *  max_outputs + max_outputs_per_input × input_count (e.g. 0 and 1 for "one output per
 *  input"). The host sizes result->outputs, negative_means and positive_means from that
 *  declaration and passes the capacity in result->max_outputs; it refuses the call's result
 *  (the request fails with a clear reason) when output_count exceeds it, output_kind is
 *  unknown, or anything was written past the buffers. Version 1 plugins, which could not
 *  declare a bound, are refused at load.
 *
 * EFFECTS (new in version 3)
 *  Each operation declares what its node outputs do (`effect`): create new nodes (whose
 *  origin is `created_origin`), or update its inputs — output i is the new latent of input
 *  i, so output_count must equal input_count, and the host logs a node.move per input.
 *  The host never names operations: this declaration is all it goes by. Version 2 plugins
 *  (exporting latitude_plugin_v2, whose latitude_operation ends at
 *  max_outputs_per_input) keep loading: their operations create nodes of origin
 *  "derived".
 *
 * TRUST
 *  Native plugins run inside the server process. A crash or memory corruption in a plugin
 *  cannot be contained and takes the server down. Load only plugins you trust; teams that
 *  just need new axes should write axis packs (JSON data, safe from anyone).
 */
#ifndef LATITUDE_PLUGIN_H
#define LATITUDE_PLUGIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LATITUDE_PLUGIN_ABI_VERSION 3u

/* The most outputs the host allots to one call, whatever an operation declares. */
#define LATITUDE_MAX_OUTPUTS_PER_CALL 4096u

/* Log levels for host->log. */
enum { LATITUDE_LOG_DEBUG = 0, LATITUDE_LOG_INFO = 1, LATITUDE_LOG_WARNING = 2, LATITUDE_LOG_ERROR = 3 };

/* What an operation's outputs are. */
enum {
  LATITUDE_OUTPUT_NODES = 0, /* outputs are latents of new nodes (decoded by the host) */
  LATITUDE_OUTPUT_AXES = 1   /* outputs are axis directions; see latitude_op_result */
};

/* What an operation's node outputs do (latitude_operation.effect). */
enum {
  LATITUDE_EFFECT_CREATE_NODES = 0, /* each output is a new node */
  LATITUDE_EFFECT_UPDATE_INPUTS = 1 /* output i is the new latent of input i */
};

/* The origin of the nodes an operation creates (latitude_operation.created_origin). */
enum {
  LATITUDE_ORIGIN_DERIVED = 0, /* made from its inputs some other way */
  LATITUDE_ORIGIN_MIXED = 1,   /* a blend of its inputs */
  LATITUDE_ORIGIN_SAMPLED = 2  /* a sample near an input */
};

/* The host's function table. */
typedef struct latitude_host {
  uint32_t abi_version; /* LATITUDE_PLUGIN_ABI_VERSION */
  uint32_t dimension;   /* floats per latent (384) */
  void *context;        /* pass back to the functions below */
  /* Embeds `count` UTF-8 texts into out[count * dimension] (unit vectors). 0 on success. */
  int (*encode)(void *context, const char *const *texts, uint32_t count, float *out);
  /* Writes a line to the server log. */
  void (*log)(void *context, int level, const char *message);
  /* Vector helpers on `n` floats. */
  float (*dot)(const float *a, const float *b, uint32_t n);
  void (*normalize)(float *v, uint32_t n);
  /* Spherical interpolation from a (t = 0) to b (t = 1); out may alias neither input. */
  void (*slerp)(const float *a, const float *b, float t, float *out, uint32_t n);
  /* The point on the unit sphere nearest `latent` whose raw projections on the `k` rows of
     `directions` (k × n) equal `targets` (minimal-norm change). 0 on success. */
  int (*move)(const float *latent, const float *directions, const float *targets, uint32_t k,
              float *out, uint32_t n);
  /* The top `k` principal directions (k × n, unit rows) of `count` rows of `points`. */
  int (*principal_components)(const float *points, uint32_t count, uint32_t k, float *out,
                               uint32_t n);
} latitude_host;

/* One axis the host passes to an operation (those named in its params, resolved). */
typedef struct latitude_axis {
  const char *id;
  const float *direction; /* dimension floats, unit */
  float negative_mean;    /* raw projection that calibrates to -1 */
  float positive_mean;    /* raw projection that calibrates to +1 */
} latitude_axis;

/* An operation call. */
typedef struct latitude_op_request {
  const float *inputs;       /* input_count × dimension: the selected nodes' latents */
  uint32_t input_count;
  const char *params_json;   /* the op's params, a JSON object */
  const latitude_axis *axes; /* the document's axes */
  uint32_t axis_count;
} latitude_op_request;

/* Where an operation writes its results (all buffers host-owned). */
typedef struct latitude_op_result {
  float *outputs;           /* capacity max_outputs × dimension */
  uint32_t max_outputs;     /* the operation's declared bound for this call's inputs */
  uint32_t output_count;    /* set by the plugin */
  uint32_t output_kind;     /* LATITUDE_OUTPUT_NODES or LATITUDE_OUTPUT_AXES */
  /* For LATITUDE_OUTPUT_AXES: per output, the raw projections calibrating to -1 and +1. */
  float *negative_means;    /* capacity max_outputs */
  float *positive_means;    /* capacity max_outputs */
  char *error;              /* capacity error_capacity, for a failure reason */
  uint32_t error_capacity;
} latitude_op_result;

/* An operation: latents in, latents (or axis directions) out. */
typedef struct latitude_operation {
  const char *name;          /* unique among loaded plugins: [a-z0-9-]{1,64} */
  const char *description;
  const char *params_schema; /* JSON Schema of params_json */
  uint32_t min_inputs;
  uint32_t max_inputs;
  int (*run)(const latitude_host *host, const latitude_op_request *request,
             latitude_op_result *result);
  /* The most outputs one call may write: max_outputs + max_outputs_per_input × inputs.
     At least one output must be possible; the total is capped at
     LATITUDE_MAX_OUTPUTS_PER_CALL. */
  uint32_t max_outputs;
  uint32_t max_outputs_per_input;
  /* LATITUDE_EFFECT_CREATE_NODES or LATITUDE_EFFECT_UPDATE_INPUTS (new in version 3). */
  uint32_t effect;
  /* For LATITUDE_EFFECT_CREATE_NODES: LATITUDE_ORIGIN_* of the new nodes. */
  uint32_t created_origin;
} latitude_operation;

/* An axis provider: params in, a direction and its calibration out. */
typedef struct latitude_axis_provider {
  const char *name;          /* unique among loaded plugins */
  const char *description;
  const char *params_schema; /* JSON Schema of params_json */
  int (*direction)(const latitude_host *host, const char *params_json, float *direction,
                   float *negative_mean, float *positive_mean, char *error,
                   uint32_t error_capacity);
} latitude_axis_provider;

/* What a plugin returns from latitude_plugin_v3. Must stay valid for the process's life. */
typedef struct latitude_plugin {
  uint32_t abi_version; /* LATITUDE_PLUGIN_ABI_VERSION */
  const char *name;     /* [a-z0-9-]{1,64} */
  const char *version;
  const latitude_operation *operations;
  uint32_t operation_count;
  const latitude_axis_provider *axis_providers;
  uint32_t axis_provider_count;
} latitude_plugin;

typedef const latitude_plugin *(*latitude_plugin_entry)(const latitude_host *host);

#ifdef __cplusplus
}
#endif
#endif
