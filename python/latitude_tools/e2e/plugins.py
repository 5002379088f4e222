"""Plugins for the end-to-end tests and the plugin benchmark: native ones compiled against
the ABI header, WebAssembly ones built from C with scripts/build-wasm-plugin.sh (the script
plugin authors use), each with its manifest; and the small scenarios the plugin tests share."""
import json
import shutil
import subprocess

from latitude_tools.e2e.harness import ROOT, Client, typed


def build_plugin(source, folder, library):
    """Compiles a native C plugin against the ABI header; returns the plugin folder."""
    compiler = shutil.which("cc") or shutil.which("clang")
    assert compiler, "a C compiler is needed to build test plugins"
    folder.mkdir(exist_ok=True)
    subprocess.run([compiler, "-O2", "-shared", "-fPIC", "-I", str(ROOT / "Sources/CLatitudePlugin/include"),
                    "-o", str(folder / library), str(ROOT / source), "-lm"], check=True)
    return folder


async def three_nodes(server, doc):
    """Two clients in `doc`; the first creates n1, n2 and n3."""
    a = await Client.connect(server.url(doc), "ra")
    b = await Client.connect(server.url(doc), "rb")
    await a.join()
    await b.join()
    for node, text in (("n1", "A rainy afternoon in the city."), ("n2", "A sunny day at the beach."),
                       ("n3", "The stock market fell sharply today.")):
        await a.op("node.create", typed(node, text))
        await a.expect("ack")
    return a, b


async def server_ops(client, kinds, count):
    """The next `count` server-authored ops of these kinds that `client` receives."""
    ops = []
    while len(ops) < count:
        frame = await client.expect("op", 60)
        if frame["op"]["kind"] in kinds and frame["op"]["actor"] == "latitude":
            ops.append(frame["op"])
    return ops

HOSTILE_SOURCE = "Tests/Fixtures/wasm-hostile/hostile.c"

# The hostile cases of Tests/Fixtures/wasm-hostile/hostile.c (one plugin each, named
# hostile-<case>); each must fail only its own request.
HOSTILE_CASES = [
    "loop", "oob-write", "huge-alloc", "too-many-outputs", "nan", "trap", "recurse", "host-oob",
    "host-count", "encode-flood", "overrun", "bad-kind", "exit", "div-zero", "redirect",
    "unterminated", "reenter",
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
