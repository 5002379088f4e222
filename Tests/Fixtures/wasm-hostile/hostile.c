/*
 * Hostile WebAssembly plugins for the sandbox tests. One source, one case per build:
 *   scripts/build-wasm-plugin.sh hostile-loop.wasm hostile.c -- -DCASE_LOOP
 * Each build is a plugin named "hostile-<case>" with one operation of the same name
 * (1–2 inputs, one output per input). Every case must fail only its own request.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "latitude_plugin.h"

#ifndef NAME
#error "build with -DNAME=\"hostile-...\" and one CASE_ macro"
#endif

static volatile uint32_t sink;

#ifdef CASE_RECURSE
static uint32_t recurse(uint32_t depth) { return recurse(depth + 1) + sink; }
#endif
#ifdef CASE_REENTER
/* The glue's own entry point, which the host calls: re-entered from inside a call. */
int32_t latitude_wasm_run(uint32_t index, const latitude_op_request *request,
                          latitude_op_result *result, uint32_t seed);
#endif

static int attack(const latitude_host *host, const latitude_op_request *request,
                  latitude_op_result *result) {
  uint32_t n = host->dimension;
  (void)n;
#if defined(CASE_LOOP) /* an endless loop: stopped by its fuel */
  for (;;) sink++;
#elif defined(CASE_OOB_WRITE) /* a store far outside linear memory: a trap */
  *(volatile uint32_t *)(uintptr_t)0xFFFFFFF0u = 1;
#elif defined(CASE_HUGE_ALLOC) /* grows memory until refused and says where it stopped */
  for (int i = 0; i < 100000; i++) {
    if (__builtin_wasm_memory_grow(0, 1) == (size_t)-1) break;
  }
  void *volatile big = malloc(1u << 30);
  snprintf(result->error, result->error_capacity, "memory.grow refused at %u pages%s",
           (unsigned)__builtin_wasm_memory_size(0), big ? "" : ", malloc(1 GiB) returned NULL");
  return 1;
#elif defined(CASE_TOO_MANY_OUTPUTS) /* claims more outputs than the host allotted */
  result->output_count = 1000000;
  return 0;
#elif defined(CASE_NAN) /* NaN latents */
  for (uint32_t d = 0; d < n; d++) result->outputs[d] = __builtin_nanf("");
  result->output_count = 1;
  return 0;
#elif defined(CASE_TRAP) /* unreachable */
  __builtin_trap();
#elif defined(CASE_RECURSE) /* unbounded recursion: the call stack runs out */
  sink = recurse(0);
#elif defined(CASE_HOST_OOB) /* hands the host a pointer past the end of its memory */
  host->normalize((float *)(uintptr_t)0xFFFFFF00u, n);
#elif defined(CASE_HOST_COUNT) /* asks the host to read a billion floats */
  sink = (uint32_t)host->dot(request->inputs, request->inputs, 1u << 30);
#elif defined(CASE_ENCODE_FLOOD) /* calls back into the host's encoder without end */
  const char *texts[1] = {"again"};
  for (;;) {
    if (host->encode(host->context, texts, 1, result->outputs) != 0) break;
  }
  /* refused once over budget: then pretend success with garbage */
  result->output_count = 0;
  return 0;
#elif defined(CASE_OVERRUN) /* writes past its output buffer */
  for (uint32_t d = 0; d < 2 * n * result->max_outputs + 64; d++) result->outputs[d] = 0.5f;
  result->output_count = 1;
  return 0;
#elif defined(CASE_BAD_KIND) /* an output kind the host does not know */
  memcpy(result->outputs, request->inputs, n * sizeof(float));
  result->output_count = 1;
  result->output_kind = 7;
  return 0;
#elif defined(CASE_EXIT) /* exit() from inside a call */
  exit(3);
#elif defined(CASE_DIV_ZERO) /* integer division by zero */
  volatile uint32_t zero = 0;
  sink = 10u / zero;
#elif defined(CASE_REDIRECT) /* points its result at the request's inputs, hoping the host reads there */
  result->outputs = (float *)request->inputs;
  result->output_count = 1;
  return 0;
#elif defined(CASE_REENTER) /* re-enters the plugin's entry point from inside a call, without end */
  return latitude_wasm_run(0, request, result, 0) + 1;
#elif defined(CASE_UNTERMINATED) /* an encode text with no NUL before the end of memory */
  size_t pages = __builtin_wasm_memory_size(0);
  char *end = (char *)(uintptr_t)(pages * 65536u - 8u);
  memset(end, 'x', 8);
  const char *texts[1] = {end};
  host->encode(host->context, texts, 1, result->outputs);
#else
#error "no CASE_ macro"
#endif
  result->output_count = 0;
  return 1;
}

static const latitude_operation operations[] = {
    {NAME, "A hostile plugin for the sandbox tests.", "{\"type\":\"object\"}", 1, 2, attack, 0, 1,
     LATITUDE_EFFECT_CREATE_NODES, LATITUDE_ORIGIN_DERIVED},
};

static const latitude_plugin plugin = {
    LATITUDE_PLUGIN_ABI_VERSION, NAME, "1.0.0", operations, 1, NULL, 0,
};

const latitude_plugin *latitude_plugin_v3(const latitude_host *host) {
  (void)host;
  return &plugin;
}
