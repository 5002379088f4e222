"""op.apply end to end: built-in operations log their results with latents (decoded after),
PCA creates axes and binds the view, errors are nacked, a third-party C plugin loads."""
import pathlib
import shutil
import subprocess

from latitude_tools.e2e.harness import ROOT, Client, Server, decoded_for, run, typed
from latitude_tools.e2e.plugins import build_plugin, server_ops, three_nodes


def test_mix_and_blur_create_nodes_that_get_decoded(server):
    async def scenario():
        a, b = await three_nodes(server, "ops")
        mix = await a.op("op.apply", {"plugin": "builtin-ops", "operation": "mix",
                                      "params": {"weights": [1, 3]}, "inputs": ["n1", "n2"], "outputs": []})
        await a.expect("ack")
        created = (await server_ops(b, {"node.create"}, 1))[0]
        assert created["payload"]["origin"] == {"kind": "mixed", "parents": ["n1", "n2"]}
        decoded = await decoded_for(b, created["id"])
        assert decoded["op"]["payload"]["text"]
        await a.op("op.apply", {"plugin": "builtin-ops", "operation": "blur",
                                "params": {"radius": 0.3, "count": 2, "seed": 7}, "inputs": ["n3"], "outputs": []})
        await a.expect("ack")
        samples = await server_ops(b, {"node.create"}, 2)
        assert all(s["payload"]["origin"]["kind"] == "sampled" for s in samples)
        assert mix["lamport"] >= 1
        await a.close()
        await b.close()
    run(scenario())


def test_pca_layout_creates_axes_and_binds_the_view(server):
    async def scenario():
        a, b = await three_nodes(server, "pca")
        await a.op("op.apply", {"plugin": "builtin-ops", "operation": "pca-layout", "params": {},
                                "inputs": ["n1", "n2", "n3"], "outputs": []})
        await a.expect("ack")
        ops = await server_ops(b, {"axis.create", "view.bind"}, 3)
        assert [o["kind"] for o in ops] == ["axis.create", "axis.create", "view.bind"]
        assert [o["payload"]["name"] for o in ops[:2]] == ["PC1", "PC2"]
        c = await Client.connect(server.url("pca"), "rc")
        _, frames = await c.join()
        state = next(f for f in frames if f["t"] == "snapshot")["state"]
        assert state["view"]["x"] == ops[0]["payload"]["axis"]
        for client in (a, b, c):
            await client.close()
    run(scenario())


def test_bad_operations_are_nacked_with_reasons(server):
    async def scenario():
        a, _ = await three_nodes(server, "bad-ops")
        cases = [
            ({"operation": "explode", "inputs": ["n1"]}, "unknown_operation"),
            ({"operation": "blur", "inputs": ["n1"], "params": {"radius": 9}}, "bad_params"),
            ({"operation": "blur", "inputs": ["n1"], "params": {"colour": "red"}}, "bad_params"),
            ({"operation": "mix", "inputs": ["n1"]}, "bad_params"),
            ({"operation": "mix", "inputs": ["n1", "ghost"]}, "unknown_node"),
            ({"operation": "move-along-axes", "inputs": ["n1"], "params": {"targets": {"nope": 1}}},
             "operation_failed"),
        ]
        for payload, code in cases:
            await a.op("op.apply", {"plugin": "builtin-ops", "params": {}, "outputs": [], **payload})
            nack = await a.expect("nack")
            assert nack["code"] == code, (payload, nack)
        await a.op("node.create", typed("n4", "still working"))
        await a.expect("ack")
        await a.close()
    run(scenario())


def test_a_third_party_c_plugin_loads_and_runs(tmp_path):
    folder = build_plugin("Plugins/example-extrapolate/extrapolate.c", tmp_path / "plugins", "libextrapolate.so")
    (folder / "libbroken.so").write_bytes(b"not a shared library")
    s = Server(tmp_path / "p.sqlite", "--plugins", str(folder)).start()
    try:
        async def scenario():
            a, b = await three_nodes(s, "third-party")
            await a.op("op.apply", {"plugin": "example-extrapolate", "operation": "extrapolate",
                                    "params": {"t": 1.5}, "inputs": ["n1", "n2"], "outputs": []})
            await a.expect("ack")
            created = (await server_ops(b, {"node.create"}, 1))[0]
            assert created["payload"]["origin"]["kind"] == "derived"
            await a.close()
            await b.close()
        run(scenario())
    finally:
        s.stop()


def test_failing_and_slow_plugins_fail_only_their_requests(tmp_path):
    folder = build_plugin("Tests/e2e/plugins/slow.c", tmp_path / "plugins", "libslow.so")
    s = Server(tmp_path / "slow.sqlite", "--plugins", str(folder)).start()
    try:
        async def scenario():
            a, _ = await three_nodes(s, "slow")
            async def apply(operation):
                await a.op("op.apply", {"plugin": "test-slow", "operation": operation, "params": {},
                                        "inputs": ["n1"], "outputs": []})
                return await a.expect("nack", timeout=30)
            failed = await apply("broken")
            assert failed["code"] == "operation_failed" and "always fails" in failed["message"]
            for _ in range(3):
                assert (await apply("slow"))["code"] == "timed_out"
            assert (await apply("slow"))["code"] == "plugin_disabled"
            await a.op("op.apply", {"plugin": "builtin-ops", "operation": "mix", "params": {},
                                    "inputs": ["n1", "n2"], "outputs": []})
            await a.expect("ack")
            await a.close()
        run(scenario())
        import urllib.request
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{s.port}/metrics").read().decode()
        assert "latitude_plugins_disabled 1" in metrics
        assert "latitude_plugin_timeouts_total 3" in metrics
    finally:
        s.stop()


def test_a_plugin_axis_provider_makes_an_axis(tmp_path):
    folder = build_plugin("Plugins/example-extrapolate/extrapolate.c", tmp_path / "plugins", "libextrapolate.so")
    s = Server(tmp_path / "axis.sqlite", "--plugins", str(folder)).start()
    try:
        async def scenario():
            a = await Client.connect(s.url("provider"), "ra")
            await a.join()
            await a.op("axis.create", {"axis": "temp", "name": "Temperature", "poles": {"negative": "cold", "positive": "hot"},
                                       "provider": "text-pair", "params": {"from": "freezing cold ice", "to": "burning hot fire"}})
            await a.expect("ack")
            await a.op("axis.create", {"axis": "bad", "name": "Bad", "poles": {"negative": "a", "positive": "b"},
                                       "provider": "text-pair", "params": {"from": "only one"}})
            nack = await a.expect("nack")
            assert nack["code"] == "invalid_axis" and "to is required" in nack["message"]
            for node, text in (("ice", "A glacier of frozen snow."), ("sun", "The desert sun was scorching.")):
                await a.op("node.create", typed(node, text))
                await a.expect("ack")
            await a.close()
        run(scenario())
        import json, urllib.request
        readout = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{s.port}/v1/docs/provider/projections").read())
        coords = {n["id"]: n["coords"]["temp"]["at"] for n in readout["nodes"]}
        assert coords["sun"] > coords["ice"]
    finally:
        s.stop()
