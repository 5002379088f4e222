"""WebAssembly plugins end to end: the example plugin built both ways gives the same
results, every hostile plugin fails only its own request while every room keeps serving and
nothing acknowledged is lost, and the plugin policy (per role, per document) is enforced."""
import json
import subprocess

from latitude_tools.e2e.harness import (BINARY, SECRET, Client, Server, http, run, token,
                                        typed)
from latitude_tools.e2e.plugins import (HOSTILE_CASES, build_example, build_hostile, build_plugin,
                                        server_ops, three_nodes)

LIGHT = ("--no-decoder", "--features", "off", "--bank", "off")


async def extrapolated_latent(server, doc):
    """The example's operation and its axis provider (which encodes through the host) in
    `doc`: the created node's latent, the text-pair axis's direction and calibration, and
    the plugin the op.apply logged."""
    a, b = await three_nodes(server, doc)
    await a.op("op.apply", {"operation": "extrapolate", "params": {"t": 1.5}, "inputs": ["n1", "n2"]})
    await a.expect("ack")
    created = (await server_ops(b, {"node.create"}, 1))[0]["payload"]["node"]
    logged = [f["op"] for f in b.received if f["t"] == "op" and f["op"]["kind"] == "op.apply"]
    await a.op("axis.create", {"axis": "temp", "name": "Temperature", "poles": {"negative": "cold", "positive": "hot"},
                               "provider": "text-pair", "params": {"from": "freezing cold ice", "to": "burning hot fire"}})
    await a.expect("ack")
    await a.close()
    await b.close()
    state = json.loads(http(server, "GET", f"/v1/docs/{doc}/state?latents=1")[1])
    latent = next(node["latent"] for node in state["nodes"] if node["id"] == created)
    axis = next(axis for axis in state["axes"] if axis["id"] == "temp")
    return latent, (axis["direction"], axis["calibration"]), logged[0]["payload"]["plugin"]


def test_the_example_plugin_gives_the_same_result_from_so_and_wasm(tmp_path):
    wasm = build_example(tmp_path / "wasm")
    native = build_plugin("Plugins/example-extrapolate/extrapolate.c", tmp_path / "native", "libextrapolate.so")
    listing = subprocess.run([BINARY, "plugins", "list", "--plugins", str(wasm)],
                             capture_output=True, text=True, check=True).stdout
    assert "example-extrapolate 0.1.0\twasm (sandboxed)" in listing, listing
    results = {}
    for kind, folder in (("wasm", wasm), ("native", native)):
        server = Server(tmp_path / f"{kind}.sqlite", "--plugins", str(folder), *LIGHT).start()
        try:
            results[kind] = run(extrapolated_latent(server, "same"))
        finally:
            server.stop()
    assert results["wasm"][0] == results["native"][0], "the same latent, bit for bit"
    assert results["wasm"][1] == results["native"][1], "the same axis from the provider"
    assert results["wasm"][2] == results["native"][2] == "example-extrapolate@0.1.0"


def test_hostile_wasm_plugins_fail_only_their_own_requests(tmp_path):
    folder = build_hostile(build_example(tmp_path / "plugins"))
    server = Server(tmp_path / "hostile.sqlite", "--plugins", str(folder), "--wasm-fuel", "20000000",
                    "--wasm-memory-pages", "64", *LIGHT).start()
    try:
        async def scenario():
            a, _ = await three_nodes(server, "hostile")
            other = await Client.connect(server.url("bystander"), "rc")
            await other.join()
            acked = 3
            for index, case in enumerate(HOSTILE_CASES):
                await a.op("op.apply", {"operation": f"hostile-{case}", "inputs": ["n1"]})
                nack = await a.expect("nack", timeout=60)
                assert nack["code"] == "operation_failed", (case, nack)
                assert http(server, "GET", "/healthz")[0] == 200
                # Every room keeps serving: the hostile room and another one.
                await a.op("node.create", typed(f"after-{index}", f"Still here after {case}."))
                await a.expect("ack")
                await other.op("node.create", typed(f"b-{index}", f"Another room, case {case}."))
                await other.expect("ack")
                acked += 1
            await a.op("op.apply", {"operation": "extrapolate", "params": {"t": 2}, "inputs": ["n1", "n2"]})
            await a.expect("ack")
            await a.close()
            await other.close()
            return acked
        acked = run(scenario())
        status, body = http(server, "GET", "/v1/docs/hostile/state")
        nodes = {node["id"] for node in json.loads(body)["nodes"]}
        assert {"n1", "n2", "n3"} <= nodes and all(f"after-{i}" in nodes for i in range(len(HOSTILE_CASES)))
        assert len(nodes) == acked + 1, "every acknowledged node, and the example's output"
        metrics = http(server, "GET", "/metrics")[1].decode()
        assert f"latitude_plugin_faults_total {len(HOSTILE_CASES) - 1}" in metrics, metrics
    finally:
        assert server.stop() == 0


def test_the_plugin_policy_is_enforced_per_role_and_per_document(tmp_path):
    folder = build_example(tmp_path / "plugins")
    server = Server(tmp_path / "policy.sqlite", "--plugins", str(folder), "--secret", SECRET,
                    "--plugin-policy", "owner=*; editor=builtin-ops", *LIGHT).start()
    try:
        async def scenario():
            owner = await Client.connect(server.url("team") + "?token=" + token("team", "owner", sub="o"), "ro")
            editor = await Client.connect(server.url("team") + "?token=" + token("team", "editor", sub="e"), "re")
            await owner.join()
            await editor.join()
            for node, text in (("n1", "A quiet morning."), ("n2", "A loud evening.")):
                await owner.op("node.create", typed(node, text))
                await owner.expect("ack")
            apply = {"operation": "extrapolate", "inputs": ["n1", "n2"]}
            await editor.op("op.apply", apply)
            nack = await editor.expect("nack")
            assert nack["code"] == "forbidden" and nack["status"] == 403, nack
            assert "does not let the editor role run plugin example-extrapolate" in nack["message"]
            await editor.op("op.apply", {"operation": "mix", "inputs": ["n1", "n2"]})
            await editor.expect("ack")
            await owner.op("op.apply", apply)
            await owner.expect("ack")
            # The owner narrows the document to WebAssembly plugins; editors may not.
            await editor.op("plugins.allow", {"plugins": ["builtin-ops"]})
            assert (await editor.expect("nack"))["code"] == "forbidden"
            await owner.op("plugins.allow", {"plugins": ["wasm:*"]})
            await owner.expect("ack")
            await owner.op("op.apply", {"operation": "mix", "inputs": ["n1", "n2"]})
            nack = await owner.expect("nack")
            assert nack["code"] == "forbidden" and "allows only the plugins wasm:*" in nack["message"]
            await owner.op("op.apply", apply)
            await owner.expect("ack")
            await owner.close()
            await editor.close()
        run(scenario())
    finally:
        server.stop()
    # The restriction is logged: it survives a restart.
    server = Server(tmp_path / "policy.sqlite", "--plugins", str(folder), "--secret", SECRET, *LIGHT).start()
    try:
        status, body = http(server, "GET", "/v1/docs/team/state?token=" + token("team", "viewer"))
        assert status == 200 and json.loads(body)["pluginAllowList"] == ["wasm:*"], body
    finally:
        server.stop()


def test_a_bad_plugin_policy_stops_the_server_with_a_clear_error(tmp_path):
    result = subprocess.run([BINARY, "serve", "--db", str(tmp_path / "x.sqlite"), "--plugin-policy", "admin=*",
                             *LIGHT], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "plugin policy" in result.stderr and "admin=*" in result.stderr
