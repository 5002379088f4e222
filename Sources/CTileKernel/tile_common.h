// What the bf16 and int8 tile kernels share: sizes and the tile configuration. Internal to
// CTileKernel.
#ifndef LATITUDE_TILE_COMMON_H
#define LATITUDE_TILE_COMMON_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define LAT_TILE_BYTES 64

static inline size_t lat_round_up(size_t value, size_t step) {
  return (value + step - 1) / step * step;
}

typedef struct {
  uint8_t palette;
  uint8_t start_row;
  uint8_t reserved[14];
  uint16_t column_bytes[16];
  uint8_t rows[16];
} lat_tile_config;

// Every tile register as 16 rows of 64 bytes (both kernels use only that shape).
__attribute__((target("amx-tile"))) static inline void lat_configure_tiles(void) {
  lat_tile_config config;
  memset(&config, 0, sizeof config);
  config.palette = 1;
  for (int t = 0; t < 8; t++) {
    config.column_bytes[t] = LAT_TILE_BYTES;
    config.rows[t] = 16;
  }
  _tile_loadconfig(&config);
}

#endif
