"""Where the repository is: every tool reads and writes paths under it."""
import os
import pathlib


def _find_root():
    override = os.environ.get("LATITUDE_ROOT")
    if override:
        return pathlib.Path(override).resolve()
    # An editable install (what the Makefile makes) runs from python/latitude_tools.
    beside = pathlib.Path(__file__).resolve().parents[2]
    if (beside / "Package.swift").exists():
        return beside
    cwd = pathlib.Path.cwd().resolve()
    for folder in (cwd, *cwd.parents):
        if (folder / "Package.swift").exists():
            return folder
    raise SystemExit("latitude_tools: cannot find the Latitude repository (set LATITUDE_ROOT)")


ROOT = _find_root()
# The corpus, its manifest and the held-out test sample (data, not code).
TRAIN = ROOT / "Weights/train"
ENCODER = ROOT / "Weights/encoder/all-MiniLM-L6-v2"
