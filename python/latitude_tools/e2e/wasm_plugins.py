"""WebAssembly plugins for the end-to-end tests and the plugin benchmark: built from C with
scripts/build-wasm-plugin.sh (the script plugin authors use), each with its manifest."""
import json
import subprocess

from latitude_tools.e2e.harness import ROOT

HOSTILE_SOURCE = "Tests/Fixtures/wasm-hostile/hostile.c"

# The hostile cases of Tests/Fixtures/wasm-hostile/hostile.c (one plugin each, named
# hostile-<case>); each must fail only its own request.
HOSTILE_CASES = [
    "loop", "oob-write", "huge-alloc", "too-many-outputs", "nan", "trap", "recurse", "host-oob",
    "host-count", "encode-flood", "overrun", "bad-kind", "exit", "div-zero", "redirect",
    "unterminated",
]


def build_wasm_plugin(folder, file, sources, name, version="1.0.0", flags=()):
    """Builds FILE.wasm from `sources` (paths relative to the repository) into `folder`,
    with its manifest FILE.json; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(ROOT / "scripts/build-wasm-plugin.sh"), str(folder / f"{file}.wasm"),
                    *[str(ROOT / source) for source in sources], "--", *flags], check=True)
    (folder / f"{file}.json").write_text(json.dumps({"name": name, "version": version}))
    return folder


def build_example(folder):
    """The example third-party plugin (Plugins/example-extrapolate) as WebAssembly."""
    return build_wasm_plugin(folder, "extrapolate", ["Plugins/example-extrapolate/extrapolate.c"],
                             "example-extrapolate", "0.1.0")


def build_hostile(folder, cases=HOSTILE_CASES):
    """Every hostile case as its own plugin in `folder`."""
    for case in cases:
        macro = "CASE_" + case.upper().replace("-", "_")
        build_wasm_plugin(folder, f"hostile-{case}", [HOSTILE_SOURCE], f"hostile-{case}",
                          flags=[f"-D{macro}", f'-DNAME="hostile-{case}"'])
    return folder
