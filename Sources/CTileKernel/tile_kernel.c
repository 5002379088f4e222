// AMX bf16 products for the encoder (see tile_kernel.h). Layout of a packed weight: blocks
// of 16 columns (the padded column count is a multiple of 32), each holding its depth in
// steps of 32 as one tile: 16 rows of 32 bf16, row r holding W[2r][j] and W[2r + 1][j]
// side by side for the block's 16 columns j (the pairs TDPBF16PS multiplies).
#include "tile_kernel.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tile_common.h"

#define LAT_ARCH_REQ_XCOMP_PERM 0x1023
#define LAT_XFEATURE_XTILEDATA 18

static size_t round_up(size_t value, size_t step) { return lat_round_up(value, step); }

static int tile_features = 0;
static pthread_once_t tiles_once = PTHREAD_ONCE_INIT;

static void detect_tiles(void) {
  unsigned int eax, ebx, ecx, edx;
  __asm__ volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0), "c"(0));
  if (eax < 7) return;
  __asm__ volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(7), "c"(0));
  const int amx_bf16 = (edx >> 22) & 1, amx_tile = (edx >> 24) & 1, amx_int8 = (edx >> 25) & 1;
  const int avx512f = (ebx >> 16) & 1, avx512bw = (ebx >> 30) & 1;
  if (!(amx_tile && avx512f && avx512bw)) return;
  __asm__ volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(7), "c"(1));
  const int avx512_bf16 = (eax >> 5) & 1;  // the conversions
  const int features = (amx_bf16 && avx512_bf16 ? 1 : 0) | (amx_int8 ? 2 : 0);
  if (features == 0) return;
  // OSXSAVE and the OS saving ZMM state (XCR0 bits 5–7) before any AVX-512 is run.
  __asm__ volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(1), "c"(0));
  if (!((ecx >> 27) & 1)) return;
  unsigned int xcr0_low, xcr0_high;
  __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
  if ((xcr0_low & 0xE6) != 0xE6) return;
  // Linux hands out tile data only on request (5.16 and later).
  if (syscall(SYS_arch_prctl, LAT_ARCH_REQ_XCOMP_PERM, LAT_XFEATURE_XTILEDATA) != 0) return;
  tile_features = features;
}

// Bit 0: AMX-BF16 usable (with AVX512-BF16); bit 1: AMX-INT8 usable.
static int lat_tile_features(void) {
  pthread_once(&tiles_once, detect_tiles);
  return tile_features;
}

int lat_tiles_available(void) { return lat_tile_features() & 1; }

int lat_byte_tiles_available(void) { return (lat_tile_features() >> 1) & 1; }

size_t lat_tiles_packed_count(size_t depth, size_t columns) {
  return round_up(depth, LAT_TILE_DEPTH) * round_up(columns, 2 * LAT_TILE_COLUMNS);
}

static uint16_t to_bf16(float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40);  // NaN
  bits += 0x7fffu + ((bits >> 16) & 1);
  return (uint16_t)(bits >> 16);
}

void lat_tiles_pack(const float *weight, size_t depth, size_t columns, uint16_t *packed) {
  const size_t padded_depth = round_up(depth, LAT_TILE_DEPTH);
  const size_t padded_columns = round_up(columns, 2 * LAT_TILE_COLUMNS);
  for (size_t block = 0; block < padded_columns / LAT_TILE_COLUMNS; block++) {
    uint16_t *out = packed + block * LAT_TILE_COLUMNS * padded_depth;
    for (size_t pair = 0; pair < padded_depth / 2; pair++) {
      for (size_t j = 0; j < LAT_TILE_COLUMNS; j++) {
        for (size_t t = 0; t < 2; t++) {
          const size_t k = 2 * pair + t, column = block * LAT_TILE_COLUMNS + j;
          const float value = k < depth && column < columns ? weight[k * columns + column] : 0;
          out[pair * 2 * LAT_TILE_COLUMNS + 2 * j + t] = to_bf16(value);
        }
      }
    }
  }
}

// a's rows as bf16, `padded_rows` × `padded_depth`, zero past rows and depth.
__attribute__((target("avx512f,avx512bw,avx512bf16,avx512vl"))) static void convert_rows(
    const float *a, size_t rows, size_t lda, size_t depth, uint16_t *out, size_t padded_rows,
    size_t padded_depth) {
  for (size_t r = 0; r < padded_rows; r++) {
    uint16_t *row = out + r * padded_depth;
    for (size_t k = 0; k < padded_depth; k += 32) {
      __m512 low = _mm512_setzero_ps(), high = _mm512_setzero_ps();
      if (r < rows) {
        const float *source = a + r * lda + k;
        const size_t left = k < depth ? depth - k : 0;
        const __mmask16 low_mask = left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
        const __mmask16 high_mask =
            left >= 32 ? 0xffff : left > 16 ? (__mmask16)((1u << (left - 16)) - 1) : 0;
        low = _mm512_maskz_loadu_ps(low_mask, source);
        high = _mm512_maskz_loadu_ps(high_mask, source + 16);
      }
      _mm512_storeu_si512(row + k, (__m512i)_mm512_cvtne2ps_pbh(high, low));
    }
  }
}

// c[rows of the tile, its columns within first..<last] += the tile.
__attribute__((target("avx512f"))) static void add_tile(
    const float *tile, float *c, size_t ldc, size_t row, size_t rows, size_t column, size_t last) {
  if (column >= last) return;
  const size_t width = last - column < LAT_TILE_COLUMNS ? last - column : LAT_TILE_COLUMNS;
  const __mmask16 mask = width == 16 ? 0xffff : (__mmask16)((1u << width) - 1);
  for (size_t i = 0; i < LAT_TILE_ROWS && row + i < rows; i++) {
    float *out = c + (row + i) * ldc + column;
    const __m512 sum = _mm512_add_ps(
        _mm512_maskz_loadu_ps(mask, out), _mm512_loadu_ps(tile + i * LAT_TILE_COLUMNS));
    _mm512_mask_storeu_ps(out, mask, sum);
  }
}

__attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512bf16,avx512vl"))) int
lat_tiles_multiply_accumulate(
    const float *a, size_t rows, size_t lda, const uint16_t *packed, size_t depth,
    size_t columns, size_t first, size_t last, float *c, size_t ldc) {
  if (rows == 0 || first >= last) return 0;
  const size_t padded_depth = round_up(depth, LAT_TILE_DEPTH);
  const size_t padded_rows = round_up(rows, 2 * LAT_TILE_ROWS);
  uint16_t *bf16_rows = aligned_alloc(64, padded_rows * padded_depth * sizeof(uint16_t));
  if (bf16_rows == NULL) return -1;
  convert_rows(a, rows, lda, depth, bf16_rows, padded_rows, padded_depth);
  (void)columns;

  lat_configure_tiles();
  float results[4][LAT_TILE_ROWS * LAT_TILE_COLUMNS] __attribute__((aligned(64)));
  const size_t steps = padded_depth / LAT_TILE_DEPTH;
  const size_t a_stride = padded_depth * sizeof(uint16_t);
  const size_t block_values = LAT_TILE_COLUMNS * padded_depth;
  for (size_t column = first; column < last; column += 2 * LAT_TILE_COLUMNS) {
    const uint16_t *left = packed + (column / LAT_TILE_COLUMNS) * block_values;
    const uint16_t *right = left + block_values;
    for (size_t row = 0; row < rows; row += 2 * LAT_TILE_ROWS) {
      const uint16_t *top = bf16_rows + row * padded_depth;
      const uint16_t *bottom = top + LAT_TILE_ROWS * padded_depth;
      _tile_zero(0);
      _tile_zero(1);
      _tile_zero(2);
      _tile_zero(3);
      for (size_t step = 0; step < steps; step++) {
        _tile_loadd(4, top + step * LAT_TILE_DEPTH, a_stride);
        _tile_loadd(5, bottom + step * LAT_TILE_DEPTH, a_stride);
        _tile_loadd(6, left + step * LAT_TILE_ROWS * LAT_TILE_DEPTH, LAT_TILE_BYTES);
        _tile_loadd(7, right + step * LAT_TILE_ROWS * LAT_TILE_DEPTH, LAT_TILE_BYTES);
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(1, 4, 7);
        _tile_dpbf16ps(2, 5, 6);
        _tile_dpbf16ps(3, 5, 7);
      }
      _tile_stored(0, results[0], LAT_TILE_BYTES);
      _tile_stored(1, results[1], LAT_TILE_BYTES);
      _tile_stored(2, results[2], LAT_TILE_BYTES);
      _tile_stored(3, results[3], LAT_TILE_BYTES);
      add_tile(results[0], c, ldc, row, rows, column, last);
      add_tile(results[1], c, ldc, row, rows, column + LAT_TILE_COLUMNS, last);
      add_tile(results[2], c, ldc, row + LAT_TILE_ROWS, rows, column, last);
      add_tile(results[3], c, ldc, row + LAT_TILE_ROWS, rows, column + LAT_TILE_COLUMNS, last);
    }
  }
  _tile_release();
  free(bf16_rows);
  return 0;
}
