/*
 * latitude_wasm.c — the WebAssembly side of the plugin ABI. Compile it into every
 * WebAssembly plugin beside the plugin's own source; the plugin's C code stays exactly the
 * code a native plugin has (it exports latitude_plugin_v3 and calls host->... functions).
 *
 * What it does:
 *  - builds the `latitude_host` table the plugin sees from functions the host imports into
 *    the module ("latitude" import module), so host->encode, host->move etc. reach the host;
 *  - exports the entry points the host calls: latitude_wasm_init (the plugin's description),
 *    latitude_wasm_alloc (fresh pages for a call, where the host lays out its buffers),
 *    latitude_wasm_run (an operation) and latitude_wasm_axis (an axis provider).
 *
 * Determinism: the module may import nothing but these host functions (and three stdio
 * stubs that always fail), so no clock and no entropy reach it. rand() is seeded with the
 * seed the host passes for each call, so the same request gives the same result.
 *
 * Build (see docs/WRITING-A-PLUGIN.md, or `make wasm-plugins`):
 *   clang --target=wasm32-wasi --sysroot=/usr -O2 -mexec-model=reactor -nodefaultlibs \
 *     -I Sources/CLatitudePlugin/include -Wl,--strip-all -o plugin.wasm \
 *     plugin.c Plugins/wasm-sdk/latitude_wasm.c -lc \
 *     /usr/lib/llvm-14/lib/clang/14.0.6/lib/wasi/libclang_rt.builtins-wasm32.a
 */
#include <stdint.h>
#include <stdlib.h>

#include "latitude_plugin.h"

#define LATITUDE_IMPORT(name) __attribute__((import_module("latitude"), import_name(name)))
#define LATITUDE_EXPORT(name) __attribute__((export_name(name)))

/* Version of this glue's entry points; the host refuses modules built with another. */
#define LATITUDE_WASM_GLUE_VERSION 1

LATITUDE_IMPORT("encode")
int32_t latitude_host_encode(const char *const *texts, uint32_t count, float *out);
LATITUDE_IMPORT("log") void latitude_host_log(int32_t level, const char *message);
LATITUDE_IMPORT("dot") float latitude_host_dot(const float *a, const float *b, uint32_t n);
LATITUDE_IMPORT("normalize") void latitude_host_normalize(float *v, uint32_t n);
LATITUDE_IMPORT("slerp")
void latitude_host_slerp(const float *a, const float *b, float t, float *out, uint32_t n);
LATITUDE_IMPORT("move")
int32_t latitude_host_move(const float *latent, const float *directions, const float *targets,
                           uint32_t k, float *out, uint32_t n);
LATITUDE_IMPORT("principal_components")
int32_t latitude_host_principal_components(const float *points, uint32_t count, uint32_t k,
                                           float *out, uint32_t n);

static int glue_encode(void *context, const char *const *texts, uint32_t count, float *out) {
  (void)context;
  return latitude_host_encode(texts, count, out);
}

static void glue_log(void *context, int level, const char *message) {
  (void)context;
  latitude_host_log(level, message);
}

static latitude_host host = {
    LATITUDE_PLUGIN_ABI_VERSION,
    0,
    0,
    glue_encode,
    glue_log,
    latitude_host_dot,
    latitude_host_normalize,
    latitude_host_slerp,
    latitude_host_move,
    latitude_host_principal_components,
};

static const latitude_plugin *plugin;

/* Defined by the plugin, as for a native build. */
const latitude_plugin *latitude_plugin_v3(const latitude_host *host);

LATITUDE_EXPORT("latitude_wasm_glue_version") uint32_t latitude_wasm_glue_version(void) {
  return LATITUDE_WASM_GLUE_VERSION;
}

/* Calls the plugin's entry with the host table; returns its description (NULL: refused). */
LATITUDE_EXPORT("latitude_wasm_init") const latitude_plugin *latitude_wasm_init(uint32_t dimension) {
  host.dimension = dimension;
  plugin = latitude_plugin_v3(&host);
  return plugin;
}

/* One block for a call's buffers, laid out by the host: fresh pages at the end of linear
   memory (each call runs in a new instance, so nothing is freed; malloc stays untouched
   unless the plugin itself uses it, which keeps a call's start-up small). */
LATITUDE_EXPORT("latitude_wasm_alloc") void *latitude_wasm_alloc(uint32_t size) {
  size_t pages = ((size_t)size + 65535u) / 65536u;
  size_t old = __builtin_wasm_memory_grow(0, pages);
  return old == (size_t)-1 ? 0 : (void *)(old * 65536u);
}

LATITUDE_EXPORT("latitude_wasm_run")
int32_t latitude_wasm_run(uint32_t index, const latitude_op_request *request,
                          latitude_op_result *result, uint32_t seed) {
  if (!plugin || index >= plugin->operation_count || !plugin->operations[index].run) return -1;
  srand(seed);
  return plugin->operations[index].run(&host, request, result);
}

LATITUDE_EXPORT("latitude_wasm_axis")
int32_t latitude_wasm_axis(uint32_t index, const char *params, float *direction,
                           float *negative_mean, float *positive_mean, char *error,
                           uint32_t error_capacity, uint32_t seed) {
  if (!plugin || index >= plugin->axis_provider_count || !plugin->axis_providers[index].direction)
    return -1;
  srand(seed);
  return plugin->axis_providers[index].direction(&host, params, direction, negative_mean,
                                                 positive_mean, error, error_capacity);
}

/* The host reads these structs out of linear memory with this wasm32 layout. */
_Static_assert(sizeof(latitude_plugin) == 28, "latitude_plugin layout");
_Static_assert(sizeof(latitude_operation) == 40, "latitude_operation layout");
_Static_assert(sizeof(latitude_axis_provider) == 16, "latitude_axis_provider layout");
_Static_assert(sizeof(latitude_op_request) == 20, "latitude_op_request layout");
_Static_assert(sizeof(latitude_op_result) == 32, "latitude_op_result layout");
_Static_assert(sizeof(latitude_axis) == 16, "latitude_axis layout");
