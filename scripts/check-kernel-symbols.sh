#!/usr/bin/env bash
# LatentKernels is compiled for AVX-512 and entered only after a CPU check. A weak function
# it defines (a generic specialisation, say) could be the copy the linker keeps for code
# in other modules too, which would then run AVX-512 instructions without the check. This
# fails when the module's objects define any weak function. Usage: check-kernel-symbols.sh
# [BUILD_DIR] (default .build/debug).
set -euo pipefail
build="${1:-.build/debug}"
objects=("$build"/LatentKernels.build/*.o)
[ -e "${objects[0]}" ] || { echo "no LatentKernels objects under $build: build first" >&2; exit 1; }
weak=$(nm --defined-only "${objects[@]}" | awk '$2 == "W" || $2 == "w" { print $3 }')
if [ -n "$weak" ]; then
  echo "LatentKernels defines weak functions (another module could link these AVX-512 copies):" >&2
  echo "$weak" >&2
  exit 1
fi
echo "LatentKernels: no weak functions"
