"""Features end to end against the real server and the committed feature dictionary: a
node's features over REST, feature search and detail, a feature as an axis, steering in both
edit modes (logged with its latents, then decoded; replay reads the latents), a document's
own name for a feature (an op every peer and every later joiner sees), and clear refusals
for unknown features, bad parameters and bad names."""
import json
import pathlib
import subprocess

from latitude_tools.e2e.harness import BINARY, Client, http, run, typed

ROOT = pathlib.Path(__file__).resolve().parents[2]
DICTIONARY = "minilm-topk-4096-e2b"
CATALOGUE = json.loads((ROOT / "Weights/features" / DICTIONARY / "features.json").read_text())


def get(server, path):
    status, body = http(server, "GET", path)
    return status, json.loads(body)


def test_search_and_detail_describe_features(server):
    live = [f for f in CATALOGUE["items"] if not f.get("dead") and f["words"]]
    feature = max(live, key=lambda f: f["density"])
    status, found = get(server, f"/v1/features?q={feature['words'][0]}&limit=200")
    assert status == 200 and found["dictionary"] == DICTIONARY
    assert feature["id"] in [f["id"] for f in found["features"]]
    status, detail = get(server, f"/v1/features/{feature['id']}")
    assert status == 200 and detail["label"] == feature["label"] and detail["examples"]
    assert detail["activation"]["median"] > 0
    status, densest = get(server, "/v1/features?limit=3")
    assert status == 200 and len(densest["features"]) == 3
    for path, code in (("/v1/features/99999999", 404), ("/v1/features/abc", 400)):
        status, body = get(server, path)
        assert status == code and body["message"], (path, body)


def test_a_node_is_read_steered_named_and_replayed(server):
    async def scenario():
        a = await Client.connect(server.url("feat"), "ra", actor="ada")
        b = await Client.connect(server.url("feat"), "rb", actor="bo")
        await a.join()
        await b.join()
        await a.op("node.create", typed("n1", "My flight was delayed for six hours."))
        await a.expect("ack")
        status, read = get(server, "/v1/docs/feat/nodes/n1/features?limit=10")
        assert status == 200 and read["node"] == "n1" and len(read["features"]) == 10
        values = [f["activation"] for f in read["features"]]
        assert values == sorted(values, reverse=True) and values[-1] > 0
        assert all(f["label"] for f in read["features"])
        active = {f["id"] for f in read["features"]}
        # A common feature that is off here: steer it on, in both edit modes.
        off = next(f for f in sorted(CATALOGUE["items"], key=lambda f: -f["density"])
                   if not f.get("dead") and f["id"] not in active)
        for edit in ("translate", "optimize"):
            apply = await a.op("op.apply", {"operation": "feature-steer", "inputs": ["n1"],
                                            "params": {"feature": off["id"], "edit": edit,
                                                       **({"value": off["activation"]["max"]} if edit == "translate" else {"strength": 12})}})
            await a.expect("ack")
            moved = None
            while moved is None:
                op = (await b.expect("op", 30))["op"]
                if op["kind"] == "node.move" and op["payload"]["node"] == "n1":
                    moved = op
            assert moved["actor"] == "latitude"
            status, after = get(server, "/v1/docs/feat/nodes/n1/features?limit=32")
            reading = {f["id"]: f["activation"] for f in after["features"]}
            assert reading.get(off["id"], 0) > off["activation"]["median"], (edit, reading.get(off["id"]))
            status, ops = http(server, "GET", "/v1/docs/feat/ops")
            lines = [json.loads(line) for line in ops.decode().splitlines()]
            logged = next(line["op"] for line in lines if line["op"]["id"] == apply)
            assert logged["payload"]["plugin"] == f"features:{DICTIONARY}"
            # Return to the original sentence for the next edit mode.
            await a.op("node.setText", {"node": "n1", "text": "My flight was delayed for six hours."})
            await a.expect("ack")
        # The same reading over the protocol, answered to the asker only.
        await b.send({"t": "features", "node": "n1", "limit": 3})
        answer = await b.expect("features")
        assert answer["node"] == "n1" and len(answer["features"]) == 3
        await b.send({"t": "features", "node": "ghost"})
        assert (await b.expect("error"))["code"] == "unknown_node"
        await b.ws.send(json.dumps({"t": "features", "node": "n1", "limit": 0}))  # off-schema on purpose
        assert (await b.expect("error"))["code"] == "malformed"
        # A document's own name for a feature: every peer sees it, so does a later joiner.
        top = read["features"][0]["id"]
        await a.op("feature.name", {"dictionary": DICTIONARY, "feature": top, "name": "air travel"})
        await a.expect("ack")
        named = None
        while named is None:
            op = (await b.expect("op", 30))["op"]
            if op["kind"] == "feature.name":
                named = op
        assert named["payload"] == {"dictionary": DICTIONARY, "feature": top, "name": "air travel"}
        status, read_again = get(server, "/v1/docs/feat/nodes/n1/features")
        # The node's text was set back, so its top feature is the same one.
        assert {f["id"]: f.get("name") for f in read_again["features"]}.get(top) == "air travel"
        c = await Client.connect(server.url("feat"), "rc")
        _, frames = await c.join()
        snapshot = next(f for f in frames if f["t"] == "snapshot")
        assert snapshot["state"]["featureNames"] == {DICTIONARY: {str(top): "air travel"}}
        # A feature as an axis: along its decoder direction, calibrated from its activations.
        await a.op("axis.create", {"axis": "f-air", "provider": "feature", "params": {"feature": top}})
        await a.expect("ack")
        status, state = get(server, "/v1/docs/feat/state")
        axis = next(x for x in state["axes"] if x["id"] == "f-air")
        assert axis["provider"] == "feature" and axis["params"] == {"feature": top}
        status, projections = get(server, "/v1/docs/feat/projections")
        assert projections["nodes"][0]["coords"]["f-air"]["at"] > 0, "the node is on the feature's side"
        for client in (a, b, c):
            await client.close()
        # Replay folds the steered latents and the names from the log, running nothing.
        replayed = json.loads(subprocess.run(
            [BINARY, "replay", "--db", str(server.db), "--doc", "feat"],
            check=True, capture_output=True, text=True).stdout)
        assert replayed["state"]["featureNames"] == {DICTIONARY: {str(top): "air travel"}}
    run(scenario())


def test_a_features_activation_on_every_node_colours_a_map(server):
    """GET /v1/docs/{doc}/features/{id}: the feature's activation on every live node at head,
    the same figure the node's own features route reads, relative to the median."""
    async def scenario():
        a = await Client.connect(server.url("feat-map"), "ra")
        await a.join()
        sentences = {"f1": "The plane landed two hours late at the airport.",
                     "f2": "Our flight to Rome was cancelled again.",
                     "c1": "Stir the sauce and let it simmer for ten minutes.",
                     "gone": "This node is deleted before anyone reads it."}
        for node, text in sentences.items():
            await a.op("node.create", typed(node, text))
            await a.expect("ack")
        await a.op("node.delete", {"node": "gone"})
        await a.expect("ack")
        await a.close()
    run(scenario())
    _, read = get(server, "/v1/docs/feat-map/nodes/f1/features?limit=1")
    top = read["features"][0]
    status, body = get(server, f"/v1/docs/feat-map/features/{top['id']}")
    assert status == 200 and body["feature"] == top["id"] and body["dictionary"] == DICTIONARY
    values = {entry["node"]: entry for entry in body["nodes"]}
    assert set(values) == {"f1", "f2", "c1"}, "every live node, and only those"
    assert abs(values["f1"]["activation"] - top["activation"]) < 1e-4
    assert abs(values["f1"]["relative"] - top["relative"]) < 1e-3
    assert values["f1"]["activation"] > values["c1"]["activation"]
    for path, code, error in (("/v1/docs/feat-map/features/99999999", 404, "unknown_feature"),
                              ("/v1/docs/feat-map/features/abc", 400, "malformed"),
                              ("/v1/docs/no-such-doc/features/1", 404, None)):
        status, body = get(server, path)
        assert status == code and body["message"], (path, body)
        if error:
            assert body["error"] == error, (path, body)


def test_bad_feature_requests_are_refused_clearly(server):
    async def scenario():
        a = await Client.connect(server.url("feat-bad"), "ra")
        await a.join()
        await a.op("node.create", typed("n1", "The soup was cold."))
        await a.expect("ack")
        steer = lambda params, inputs=["n1"]: {"operation": "feature-steer", "inputs": inputs, "params": params}
        cases = [
            ("op.apply", steer({"feature": 99999999}), "unknown_feature"),
            ("op.apply", steer({}), "malformed"),
            ("op.apply", steer({"feature": 1.5}), "malformed"),
            ("op.apply", steer({"feature": 0, "edit": "magic"}), "malformed"),
            ("op.apply", steer({"feature": 0, "mode": "multiply"}), "malformed"),
            ("op.apply", steer({"feature": 0, "edit": 3}), "malformed"),
            ("op.apply", steer({"feature": 0, "value": "high"}), "malformed"),
            ("op.apply", steer({"feature": 0, "value": 1e9}), "malformed"),
            ("op.apply", steer({"feature": 0, "value": 0.1, "strength": 3}), "malformed"),
            ("op.apply", steer({"feature": 0, "strength": "lots"}), "malformed"),
            ("op.apply", steer({"feature": 0}, inputs=[]), "malformed"),
            ("op.apply", steer({"feature": 0}, inputs=["ghost"]), "unknown_node"),
            ("axis.create", {"axis": "f", "provider": "feature", "params": {}}, "malformed"),
            ("axis.create", {"axis": "f", "provider": "feature", "params": {"feature": 99999999}}, "unknown_feature"),
            ("feature.name", {"dictionary": DICTIONARY, "feature": -1, "name": "x"}, "malformed"),
            ("feature.name", {"dictionary": DICTIONARY, "feature": 1, "name": "x" * 81}, "text_too_long"),
            ("feature.name", {"dictionary": "", "feature": 1, "name": "x"}, "invalid_id"),
            ("feature.name", {"dictionary": DICTIONARY, "feature": 1}, "malformed"),
        ]
        for kind, payload, code in cases:
            await a.op(kind, payload)
            nack = await a.expect("nack", 30)
            assert nack["code"] == code and nack["message"], (kind, payload, nack)
        status, body = get(server, "/v1/docs/feat-bad/nodes/ghost/features")
        assert status == 400 and body["error"] == "unknown_node"
        # The connection is still usable, and nothing was logged by the refusals.
        await a.op("node.setText", {"node": "n1", "text": "The soup was hot."})
        await a.expect("ack")
        status, ops = http(server, "GET", "/v1/docs/feat-bad/ops")
        assert [json.loads(line)["op"]["kind"] for line in ops.decode().splitlines()] == ["node.create", "node.setText"]
        await a.close()
    run(scenario())
