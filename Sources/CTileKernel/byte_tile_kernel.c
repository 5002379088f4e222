// AMX int8 products for the decoder's few-row steps (see tile_kernel.h). Layout of a packed
// weight: blocks of 16 columns (the padded column count is a multiple of 32), each holding
// its depth in steps of 64 as one tile: 16 rows of 64 bytes, row r holding W[4r + t][j]
// for t < 4 side by side for the block's 16 columns j (the quadruples TDPBSSD multiplies).
#include <stdlib.h>

#include "tile_common.h"
#include "tile_kernel.h"

enum { BYTE_TILE_DEPTH = 64, BYTE_TILE_COLUMNS = 16, BYTE_TILE_ROWS = 16 };

size_t lat_byte_tiles_packed_count(size_t depth, size_t columns) {
  return lat_round_up(depth, BYTE_TILE_DEPTH) * lat_round_up(columns, 2 * BYTE_TILE_COLUMNS);
}

void lat_byte_tiles_pack(const int8_t *weight, size_t depth, size_t columns, int8_t *packed) {
  const size_t padded_depth = lat_round_up(depth, BYTE_TILE_DEPTH);
  memset(packed, 0, lat_byte_tiles_packed_count(depth, columns));
  for (size_t k = 0; k < depth; k++) {
    for (size_t j = 0; j < columns; j++) {
      const size_t block = j / BYTE_TILE_COLUMNS, step = k / BYTE_TILE_DEPTH;
      const size_t offset = block * BYTE_TILE_COLUMNS * padded_depth +
                            step * BYTE_TILE_ROWS * LAT_TILE_BYTES +
                            (k % BYTE_TILE_DEPTH) / 4 * LAT_TILE_BYTES +
                            (j % BYTE_TILE_COLUMNS) * 4 + k % 4;
      packed[offset] = weight[k * columns + j];
    }
  }
}

// Each of a's rows rounded to int8 with its own scale (largest magnitude ÷ 127; 0 for a
// row of zeros) into `out`, `padded_rows` × `padded_depth`, zero past rows and depth.
__attribute__((target("avx512f,avx512bw"))) static void quantize_rows(
    const float *a, size_t rows, size_t lda, size_t depth, int8_t *out, float *row_scales,
    size_t padded_rows, size_t padded_depth) {
  memset(out, 0, padded_rows * padded_depth);
  for (size_t r = 0; r < rows; r++) {
    const float *row = a + r * lda;
    __m512 largest = _mm512_setzero_ps();
    for (size_t k = 0; k < depth; k += 16) {
      const size_t left = depth - k;
      const __mmask16 mask = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
      largest = _mm512_max_ps(largest, _mm512_abs_ps(_mm512_maskz_loadu_ps(mask, row + k)));
    }
    const float peak = _mm512_reduce_max_ps(largest);
    row_scales[r] = peak > 0 ? peak / 127 : 0;
    if (!(peak > 0)) continue;
    const __m512 inverse = _mm512_set1_ps(127 / peak);
    for (size_t k = 0; k < depth; k += 16) {
      const size_t left = depth - k;
      const __mmask16 mask = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
      const __m512i rounded =
          _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_maskz_loadu_ps(mask, row + k), inverse));
      _mm512_mask_cvtsepi32_storeu_epi8(out + r * padded_depth + k, mask, rounded);
    }
  }
}

// c[rows of the tile, its columns within first..<last] += the tile, scaled.
__attribute__((target("avx512f"))) static void add_scaled_tile(
    const int32_t *tile, const float *row_scales, const float *scales, float *c, size_t ldc,
    size_t row, size_t rows, size_t column, size_t last) {
  if (column >= last) return;
  const size_t width = last - column < BYTE_TILE_COLUMNS ? last - column : BYTE_TILE_COLUMNS;
  const __mmask16 mask = width == 16 ? 0xffff : (__mmask16)((1u << width) - 1);
  const __m512 column_scales = _mm512_maskz_loadu_ps(mask, scales + column);
  for (size_t i = 0; i < BYTE_TILE_ROWS && row + i < rows; i++) {
    float *out = c + (row + i) * ldc + column;
    const __m512 sums = _mm512_cvtepi32_ps(_mm512_loadu_si512(tile + i * BYTE_TILE_COLUMNS));
    const __m512 scaled =
        _mm512_mul_ps(sums, _mm512_mul_ps(column_scales, _mm512_set1_ps(row_scales[row + i])));
    _mm512_mask_storeu_ps(out, mask, _mm512_add_ps(_mm512_maskz_loadu_ps(mask, out), scaled));
  }
}

__attribute__((target("amx-tile,amx-int8,avx512f,avx512bw"))) int
lat_byte_tiles_multiply_accumulate(
    const float *a, size_t rows, size_t lda, const int8_t *packed, const float *scales,
    size_t depth, size_t columns, size_t first, size_t last, float *c, size_t ldc) {
  if (rows == 0 || first >= last) return 0;
  (void)columns;
  const size_t padded_depth = lat_round_up(depth, BYTE_TILE_DEPTH);
  const size_t padded_rows = lat_round_up(rows, BYTE_TILE_ROWS);
  int8_t *byte_rows = aligned_alloc(64, padded_rows * padded_depth);
  float *row_scales = malloc(padded_rows * sizeof(float));
  if (byte_rows == NULL || row_scales == NULL) {
    free(byte_rows);
    free(row_scales);
    return -1;
  }
  quantize_rows(a, rows, lda, depth, byte_rows, row_scales, padded_rows, padded_depth);

  lat_configure_tiles();
  int32_t results[2][BYTE_TILE_ROWS * BYTE_TILE_COLUMNS] __attribute__((aligned(64)));
  const size_t steps = padded_depth / BYTE_TILE_DEPTH;
  const size_t block_bytes = BYTE_TILE_COLUMNS * padded_depth;
  const size_t tile_bytes = BYTE_TILE_ROWS * LAT_TILE_BYTES;
  for (size_t column = first; column < last; column += 2 * BYTE_TILE_COLUMNS) {
    const int8_t *left = packed + (column / BYTE_TILE_COLUMNS) * block_bytes;
    const int8_t *right = left + block_bytes;
    for (size_t row = 0; row < rows; row += BYTE_TILE_ROWS) {
      const int8_t *rows_here = byte_rows + row * padded_depth;
      _tile_zero(0);
      _tile_zero(1);
      for (size_t step = 0; step < steps; step++) {
        _tile_loadd(2, rows_here + step * BYTE_TILE_DEPTH, padded_depth);
        _tile_loadd(3, left + step * tile_bytes, LAT_TILE_BYTES);
        _tile_loadd(4, right + step * tile_bytes, LAT_TILE_BYTES);
        _tile_dpbssd(0, 2, 3);
        _tile_dpbssd(1, 2, 4);
      }
      _tile_stored(0, results[0], LAT_TILE_BYTES);
      _tile_stored(1, results[1], LAT_TILE_BYTES);
      add_scaled_tile(results[0], row_scales, scales, c, ldc, row, rows, column, last);
      add_scaled_tile(
          results[1], row_scales, scales, c, ldc, row, rows, column + BYTE_TILE_COLUMNS, last);
    }
  }
  _tile_release();
  free(byte_rows);
  free(row_scales);
  return 0;
}
