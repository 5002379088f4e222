// Matrix products on Intel AMX tiles (bf16 in, fp32 out) for the encoder's linear layers.
// Every function is compiled for AMX with per-function target attributes, so the target
// builds on any x86-64 CPU; callers run them only after `lat_tiles_available()` says yes.
#ifndef LATITUDE_TILE_KERNEL_H
#define LATITUDE_TILE_KERNEL_H

#include <stddef.h>
#include <stdint.h>

/// Rows of a tile and bf16 values per tile row (the product's depth step).
enum { LAT_TILE_ROWS = 16, LAT_TILE_DEPTH = 32, LAT_TILE_COLUMNS = 16 };

/// 1 when this CPU has AMX-BF16 and AVX512-BF16 and the kernel granted this process the
/// tile state (asked once, on the first call); 0 otherwise. Thread-safe.
int lat_tiles_available(void);

/// bf16 values in the packed form of a weight [depth, columns]: the depth rounded up to
/// LAT_TILE_DEPTH times the columns rounded up to two tiles (32).
size_t lat_tiles_packed_count(size_t depth, size_t columns);

/// Packs a row-major fp32 weight [depth, columns] (round to nearest even) into `packed`,
/// which holds `lat_tiles_packed_count(depth, columns)` values; padding is zero.
void lat_tiles_pack(const float *weight, size_t depth, size_t columns, uint16_t *packed);

/// c[r, first..<last] += a[r, 0..<depth] · W[:, first..<last] for r < rows, W packed by
/// `lat_tiles_pack`. `a` has rows `lda` floats apart, `c` has them `ldc` apart. `first` is a
/// multiple of 32; last ≤ columns. Returns 0, or -1 when its scratch could not be allocated
/// (nothing written). Requires `lat_tiles_available()`.
int lat_tiles_multiply_accumulate(
    const float *a, size_t rows, size_t lda, const uint16_t *packed, size_t depth,
    size_t columns, size_t first, size_t last, float *c, size_t ldc);

/// 1 when `lat_tiles_available()` and the CPU also has AMX-INT8 (TDPBSSD). Thread-safe.
int lat_byte_tiles_available(void);

/// Bytes in the packed form of an int8 weight [depth, columns]: the depth rounded up to 64
/// times the columns rounded up to two tiles (32).
size_t lat_byte_tiles_packed_count(size_t depth, size_t columns);

/// Lays out a row-major int8 weight [depth, columns] as TDPBSSD's tiles in `packed`, which
/// holds `lat_byte_tiles_packed_count(depth, columns)` bytes; padding is zero.
void lat_byte_tiles_pack(const int8_t *weight, size_t depth, size_t columns, int8_t *packed);

/// c[r, first..<last] += a[r, 0..<depth] · (scales[j] · W[:, j]) for r < rows and j in
/// first..<last, W packed by `lat_byte_tiles_pack`: each row of `a` is rounded to int8 with
/// its own scale (largest magnitude ÷ 127), the products summed exactly in int32, then
/// scaled. `scales` holds at least `last` values; `first` is a multiple of 32; last ≤
/// columns. Returns 0, or -1 when its scratch could not be allocated (nothing written).
/// Requires `lat_byte_tiles_available()`.
int lat_byte_tiles_multiply_accumulate(
    const float *a, size_t rows, size_t lda, const int8_t *packed, const float *scales,
    size_t depth, size_t columns, size_t first, size_t last, float *c, size_t ldc);

#endif
