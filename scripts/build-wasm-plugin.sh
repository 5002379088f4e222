#!/usr/bin/env bash
# Builds a Latitude WebAssembly plugin from C sources: the plugin's own code (the same code a
# native plugin has) linked with the WebAssembly glue (Plugins/wasm-sdk/latitude_wasm.c)
# against Debian's wasi-libc, with the Swift toolchain's clang and wasm-ld.
#
#   scripts/build-wasm-plugin.sh OUT.wasm SOURCE.c [SOURCE.c ...] [-- EXTRA CLANG FLAGS]
#
# Needs the Debian packages wasi-libc and libclang-rt-14-dev-wasm32 (make wasm-deps).
# Write the manifest (OUT.json: {"name", "version"}) beside OUT.wasm yourself.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ $# -lt 2 ]; then
  echo "usage: $0 OUT.wasm SOURCE.c [SOURCE.c ...] [-- CLANG FLAGS]" >&2
  exit 2
fi
out="$1"; shift
sources=(); flags=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; flags=("$@"); break; fi
  sources+=("$1"); shift
done
clang="${CLANG:-clang}"
sysroot="${WASI_SYSROOT:-/usr}"
[ -e "$sysroot/lib/wasm32-wasi/libc.a" ] || {
  echo "wasi-libc is missing ($sysroot/lib/wasm32-wasi/libc.a): install wasi-libc (make wasm-deps)" >&2
  exit 1
}
builtins="${WASM_BUILTINS:-$(ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a 2>/dev/null | head -1)}"
[ -n "$builtins" ] || {
  echo "compiler-rt builtins for wasm32 are missing: install libclang-rt-14-dev-wasm32 (make wasm-deps)" >&2
  exit 1
}
# -nodefaultlibs: clang would look for its own builtins, which the Swift toolchain lacks;
# Debian's are linked explicitly instead. Reactor: no main, the host calls the exports.
"$clang" --target=wasm32-wasi --sysroot="$sysroot" -O2 -mexec-model=reactor -nodefaultlibs \
  -I "$root/Sources/CLatitudePlugin/include" -Wl,--strip-all \
  ${flags[@]+"${flags[@]}"} -o "$out" "${sources[@]}" "$root/Plugins/wasm-sdk/latitude_wasm.c" \
  -lc "$builtins"
