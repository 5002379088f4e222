#!/usr/bin/env bash
# Builds the release artifact: dist/latitude/ and dist/latitude-linux-$(uname -m).tar.gz.
# The executable links the Swift standard library and Foundation statically
# (--static-swift-stdlib), so the host needs no Swift toolchain, only Debian's shared
# libraries listed in deploy/cluster/README.md (OpenBLAS, LAPACKE, libwebsockets, SQLite,
# libpq). Layout (run from the folder; the default paths are relative to it):
#   bin/latitude, bin/libLatitudeBuiltinOps.so, bin/Latitude_CanvasServer.resources/
#   AxisPacks/, Weights/{decoder,bank,features,encoder}/ (the encoder if fetched), deploy/
# Usage: scripts/release-artifact.sh [--no-tar]
set -euo pipefail
cd "$(dirname "$0")/.."
tar=1
[ "${1:-}" = "--no-tar" ] && tar=0
swift build -c release --static-swift-stdlib --product latitude >&2
swift build -c release --static-swift-stdlib --product LatitudeBuiltinOps >&2
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)
out=dist/latitude
rm -rf "$out"
mkdir -p "$out/bin" "$out/Weights"
cp "$bin/latitude" "$bin/libLatitudeBuiltinOps.so" "$out/bin/"
cp -R "$bin/Latitude_CanvasServer.resources" "$out/bin/"
cp -R AxisPacks "$out/"
for weights in decoder bank features encoder; do
  [ -d "Weights/$weights" ] && cp -R "Weights/$weights" "$out/Weights/"
done
cp -R deploy "$out/"
git rev-parse --short HEAD > "$out/REVISION" 2>/dev/null || true
if [ "$tar" = 1 ]; then
  archive="dist/latitude-linux-$(uname -m).tar.gz"
  tar -C dist -czf "$archive" latitude
  echo "wrote $archive ($(du -h "$archive" | cut -f1))"
else
  echo "wrote $out"
fi
