#include "params.h"

#include <stdlib.h>
#include <string.h>

/* Finds "key" followed by ':' at any depth from `from`, returning the position after ':'. */
static const char *find_key(const char *from, const char *end, const char *key) {
  size_t length = strlen(key);
  for (const char *p = from; p && p < end; p++) {
    p = strchr(p, '"');
    if (!p || p >= end) return NULL;
    if (strncmp(p + 1, key, length) == 0 && p[1 + length] == '"') {
      const char *q = p + 2 + length;
      while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
      if (*q == ':') return q + 1;
    }
    /* skip this string */
    const char *close = p + 1;
    while (*close && *close != '"') close += (*close == '\\' && close[1]) ? 2 : 1;
    p = close;
  }
  return NULL;
}

double param_number(const char *json, const char *key, double fallback) {
  const char *at = find_key(json, json + strlen(json), key);
  if (!at) return fallback;
  char *end = NULL;
  double value = strtod(at, &end);
  return end == at ? fallback : value;
}

uint32_t param_numbers(const char *json, const char *key, double *out, uint32_t capacity) {
  const char *at = find_key(json, json + strlen(json), key);
  if (!at) return 0;
  while (*at == ' ') at++;
  if (*at != '[') return 0;
  at++;
  uint32_t count = 0;
  while (count < capacity) {
    char *end = NULL;
    double value = strtod(at, &end);
    if (end == at) break;
    out[count++] = value;
    at = end;
    while (*at == ' ' || *at == ',' || *at == '\n') at++;
    if (*at == ']') break;
  }
  return count;
}

int param_member_number(const char *json, const char *object, const char *key, double *out) {
  const char *at = find_key(json, json + strlen(json), object);
  if (!at) return 0;
  while (*at == ' ') at++;
  if (*at != '{') return 0;
  int depth = 0;
  const char *end = at;
  for (; *end; end++) {
    if (*end == '{') depth++;
    if (*end == '}' && --depth == 0) break;
  }
  const char *value = find_key(at + 1, end, key);
  if (!value) return 0;
  char *stop = NULL;
  *out = strtod(value, &stop);
  return stop != value;
}
