#!/usr/bin/env bash
# Checks that the release artifact (dist/latitude, from scripts/release-artifact.sh) runs
# without the Swift toolchain: no library resolves into the toolchain (ldd), and — as root,
# in a private mount namespace — the toolchain's library folder is hidden under an empty
# tmpfs while the artifact prints its version, serves the canvas page and /healthz, and
# logs an op to a fresh SQLite file.
set -euo pipefail
cd "$(dirname "$0")/.."
artifact=${1:-dist/latitude}
[ -x "$artifact/bin/latitude" ] || { echo "no artifact at $artifact: run scripts/release-artifact.sh" >&2; exit 1; }
toolchain_lib=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")/lib
echo "toolchain libraries: $toolchain_lib"
if ldd "$artifact/bin/latitude" | grep -E "not found|$toolchain_lib|libswift|libFoundation"; then
  echo "FAIL: the artifact needs the libraries above" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/smoke.sh" <<SMOKE
set -euo pipefail
cd "$(realpath "$artifact")"
if [ -n "\${HIDE:-}" ]; then
  mount -t tmpfs tmpfs "$toolchain_lib"
  [ -z "\$(ls -A "$toolchain_lib")" ] || { echo "toolchain still visible" >&2; exit 1; }
fi
env -u LD_LIBRARY_PATH bin/latitude --version
env -u LD_LIBRARY_PATH bin/latitude serve --port 0 --no-encoder --no-decoder --features off \
  --bank off --db "$work/smoke.sqlite" 2> "$work/serve.log" &
pid=\$!
for _ in \$(seq 100); do grep -q "serving on" "$work/serve.log" && break; sleep 0.1; done
port=\$(sed -n 's/.*serving on .*:\([0-9]*\)$/\1/p' "$work/serve.log" | head -1)
[ -n "\$port" ] || { cat "$work/serve.log" >&2; exit 1; }
fetch() { python3 -c 'import sys, urllib.request as u; r = u.urlopen(u.Request(sys.argv[1], data=(sys.argv[2].encode() if len(sys.argv) > 2 else None), headers={"Content-Type": "application/json"}), timeout=10); sys.stdout.write(r.read().decode())' "\$@"; }
fetch "http://127.0.0.1:\$port/healthz" | grep -q '"status":"ok"'
fetch "http://127.0.0.1:\$port/" | grep -qi "<html"
fetch "http://127.0.0.1:\$port/v1/docs" '{"id":"smoke"}' | grep -q smoke
kill -TERM \$pid
wait \$pid
SMOKE
if [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null; then
  HIDE=1 unshare --mount --propagation private bash "$work/smoke.sh"
  echo "release artifact ok: ran with $toolchain_lib hidden"
else
  bash "$work/smoke.sh"
  echo "release artifact ok: no toolchain library linked (not root: the folder could not be hidden)"
fi
