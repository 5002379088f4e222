#!/usr/bin/env python3
"""`make bench-plugins`: WebAssembly plugins against native ones, and the hostile suite.

1. Call latency: `latitude-bench plugins` times a move-along-axes call on 16 inputs through
   the native built-in plugin and through the same C source built as WebAssembly
   (builtin-ops.wasm), alternating, in one process (p50 of each, their ratio, and the
   largest difference between the two results).
2. The hostile suite: a release `latitude serve` (LATITUDE_BIN for another build) with every
   hostile plugin of Tests/Fixtures/wasm-hostile and its default sandbox limits. For each
   case, a client applies it in a busy room; the case counts as survived when the plugin ran
   and its request was refused with a nack, /healthz answers, every op acknowledged so far (in that room and
   in a second one) is in the document's state, and both rooms still acknowledge a new op.

The last stdout line is one JSON object.
"""
import argparse, asyncio, json, os, subprocess, sys, tempfile, time
from pathlib import Path

from latitude_tools.paths import ROOT

# The harness reads LATITUDE_BIN when it is imported: the release build unless told otherwise.
os.environ.setdefault("LATITUDE_BIN", str(ROOT / ".build/release/latitude"))

from latitude_tools.e2e.harness import BINARY, Client, Server, http, typed
from latitude_tools.e2e.plugins import (HOSTILE_CASES, build_example, build_hostile,
                                             build_wasm_plugin)
RELEASE = ROOT / ".build/release"


def log(message):
    print(message, file=sys.stderr, flush=True)


def call_latency(folder, calls):
    build_wasm_plugin(folder, "builtin-ops", ["Plugins/builtin-ops/builtin_ops.c", "Plugins/builtin-ops/params.c"],
                      "builtin-ops", flags=["-I", str(ROOT / "Plugins/builtin-ops/include")])
    result = subprocess.run([str(RELEASE / "latitude-bench"), "plugins", "--wasm", str(folder),
                             "--calls", str(calls)], capture_output=True, text=True, check=True)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    for line in lines[:-1]:
        log(line)
    return json.loads(lines[-1])


def node_ids(server, doc):
    status, body = http(server, "GET", f"/v1/docs/{doc}/state")
    assert status == 200, body
    return {node["id"] for node in json.loads(body)["nodes"]}


async def hostile_suite(server):
    busy = await Client.connect(server.url("busy"), "rb")
    quiet = await Client.connect(server.url("quiet"), "rq")
    await busy.join()
    await quiet.join()
    acked = {"busy": set(), "quiet": set()}

    async def create(client, doc, node, text):
        await client.op("node.create", typed(node, text))
        frame = await client.expect_any({"ack", "nack"}, 60)
        if frame["t"] == "ack":
            acked[doc].add(node)
        return frame["t"] == "ack"

    for node, text in (("n1", "A rainy afternoon in the city."), ("n2", "A sunny day at the beach.")):
        await create(busy, "busy", node, text)
    survived, details = 0, {}
    for index, case in enumerate(HOSTILE_CASES):
        started = time.perf_counter()
        await busy.op("op.apply", {"operation": f"hostile-{case}", "inputs": ["n1"]})
        answer = await busy.expect_any({"ack", "nack"}, 120)
        seconds = time.perf_counter() - started
        healthy = http(server, "GET", "/healthz")[0] == 200
        intact = all(acked[doc] <= node_ids(server, doc) for doc in acked)
        serving = (await create(busy, "busy", f"b{index}", f"Still here after {case}.")
                   and await create(quiet, "quiet", f"q{index}", f"The other room after {case}."))
        # The plugin must have run (a missing plugin is nacked too, and proves nothing).
        ran = answer.get("message", "").startswith(f"hostile-{case} failed")
        ok = answer["t"] == "nack" and ran and healthy and intact and serving
        survived += ok
        details[case] = {"refused": answer.get("message", ""), "seconds": round(seconds, 4), "survived": ok}
        log(f"{case:18s} {'survived' if ok else 'FAILED':8s} {seconds * 1000:8.1f} ms  {answer.get('message', answer['t'])}")
    await busy.close()
    await quiet.close()
    return survived, details


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=2000, help="timed calls of each kind")
    args = parser.parse_args()
    log(f"server: {BINARY}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        log("calling move-along-axes natively and as WebAssembly…")
        latency = call_latency(tmp / "builtin", args.calls)
        log("building the hostile plugins…")
        folder = build_hostile(build_example(tmp / "hostile"))
        server = Server(tmp / "hostile.sqlite", "--plugins", str(folder), "--no-decoder",
                        "--features", "off", "--bank", "off").start()
        try:
            survived, details = asyncio.run(hostile_suite(server))
            faults = next((line.split()[-1] for line in http(server, "GET", "/metrics")[1].decode().splitlines()
                           if line.startswith("latitude_plugin_faults_total")), "0")
        finally:
            exit_code = server.stop()
    print(json.dumps(details, indent=1))
    print(f"move-along-axes on 16 inputs: native {latency['native_call_us']:.0f} µs, "
          f"WebAssembly {latency['wasm_call_us']:.0f} µs (×{latency['wasm_vs_native']:.1f}); "
          f"hostile suite {survived}/{len(HOSTILE_CASES)} survived; server exit {exit_code}")
    print(json.dumps({
        "native_call_us": latency["native_call_us"], "wasm_call_us": latency["wasm_call_us"],
        "wasm_vs_native": latency["wasm_vs_native"], "native_call_us_p90": latency["native_call_us_p90"],
        "wasm_call_us_p90": latency["wasm_call_us_p90"], "max_abs_difference": latency["max_abs_difference"],
        "hostile_suite_survived": survived, "hostile_suite_total": len(HOSTILE_CASES),
        "plugin_faults_total": int(faults), "server_exit_code": exit_code,
    }))


if __name__ == "__main__":
    main()
