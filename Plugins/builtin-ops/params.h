/* Tiny readers for the flat JSON params the built-in operations take. The host has already
   validated params against each operation's JSON Schema, so these only locate values. */
#ifndef LATITUDE_BUILTIN_PARAMS_H
#define LATITUDE_BUILTIN_PARAMS_H
#include <stdint.h>

/* The number at "key" (top level), or `fallback` when absent. */
double param_number(const char *json, const char *key, double fallback);
/* Reads up to `capacity` numbers of the array at "key"; returns how many (0 if absent). */
uint32_t param_numbers(const char *json, const char *key, double *out, uint32_t capacity);
/* The number at "key" inside the object at "object" (e.g. targets.sentiment); 0 if absent. */
int param_member_number(const char *json, const char *object, const char *key, double *out);
#endif
