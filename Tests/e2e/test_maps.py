"""Maps end to end: op.apply umap-layout / tsne-layout logs every node's position (a
view.layout, validated against the protocol schema by the harness), a node added later is
placed into the map by the server, a drop on the map moves the node's latent and re-places
it, a late joiner and the REST state see the map, and replay reads it from the log."""
import json
import subprocess

from latitude_tools.e2e.harness import BINARY, Client, http, run, typed

SENTENCES = [
    "The flight was delayed for six hours.", "Our plane left three hours late.",
    "The airline lost my luggage again.", "I love baking bread on Sunday mornings.",
    "Fresh sourdough needs a long rise.", "She bakes cinnamon rolls for the neighbours.",
    "The central bank raised interest rates.", "Stocks fell after the inflation report.",
    "Bond yields climbed to a ten-year high.",
]


async def canvas(server, doc):
    a = await Client.connect(server.url(doc), "ra")
    b = await Client.connect(server.url(doc), "rb")
    await a.join()
    await b.join()
    for index, text in enumerate(SENTENCES):
        await a.op("node.create", typed(f"n{index}", text))
        await a.expect("ack")
    return a, b


async def layout_op(client, full=None, timeout=60):
    """The next view.layout op frame (a full layout when `full`, a placement when not)."""
    while True:
        frame = await client.expect("op", timeout)
        op = frame["op"]
        if op["kind"] == "view.layout" and (full is None or ("run" not in op["payload"]) == full):
            return op


def test_a_umap_map_is_logged_placed_into_and_replayed(server, tmp_path):
    async def scenario():
        a, b = await canvas(server, "map-umap")
        await a.op("op.apply", {"plugin": "latitude.maps", "operation": "umap-layout",
                                "params": {"neighbors": 4, "seed": 7}, "inputs": [], "outputs": []})
        await a.expect("ack", 60)
        layout = await layout_op(b, full=True)
        assert layout["actor"] == "latitude"
        payload = layout["payload"]
        assert payload["method"] == "umap" and payload["params"]["seed"] == 7
        assert payload["params"]["neighbors"] == 4 and payload["params"]["epochs"] == 500
        positions = {p["node"]: (p["x"], p["y"]) for p in payload["positions"]}
        assert sorted(positions) == sorted(f"n{i}" for i in range(len(SENTENCES)))
        # Similar sentences sit together: each flight sentence is nearer another flight
        # sentence than any baking or finance one.
        def d(u, v):
            return ((positions[u][0] - positions[v][0]) ** 2 + (positions[u][1] - positions[v][1]) ** 2) ** 0.5
        for u in ("n0", "n1", "n2"):
            same = min(d(u, v) for v in ("n0", "n1", "n2") if v != u)
            other = min(d(u, v) for v in ("n3", "n4", "n5", "n6", "n7", "n8"))
            assert same < other, (u, positions)
        # A node created afterwards is placed by transform, without moving the others.
        await a.op("node.create", typed("late", "My connecting flight was cancelled."))
        await a.expect("ack")
        placed = await layout_op(b, full=False)
        assert placed["payload"]["run"] == layout["id"]
        assert [p["node"] for p in placed["payload"]["positions"]] == ["late"]
        # A drop on the map next to the baking sentences moves the latent there.
        bx, by = positions["n4"]
        await a.op("node.move", {"node": "late", "map": {"x": bx, "y": by}})
        ack = await a.expect("ack")
        assert "coords" in ack, "a map move is logged with its coordinates on the axes (none here)"
        moved = await layout_op(b, full=False)
        (mx, my) = (moved["payload"]["positions"][0]["x"], moved["payload"]["positions"][0]["y"])
        assert ((mx - bx) ** 2 + (my - by) ** 2) ** 0.5 < min(d("n4", v) for v in ("n0", "n6")), moved
        # A late joiner's snapshot and the REST state carry the map.
        c = await Client.connect(server.url("map-umap"), "rc")
        _, frames = await c.join()
        state = next(f for f in frames if f["t"] == "snapshot")["state"]
        assert state["map"]["run"] == layout["id"] and "late" in state["map"]["positions"]
        status, body = http(server, "GET", "/v1/docs/map-umap/state")
        live = json.loads(body)["map"]
        assert status == 200 and len(live["positions"]) == len(SENTENCES) + 1
        for client in (a, b, c):
            await client.close()
        # Replay folds the map from the log: the same positions, nothing recomputed.
        replayed = json.loads(subprocess.run(
            [BINARY, "replay", "--db", str(server.db), "--doc", "map-umap"],
            check=True, capture_output=True, text=True).stdout)
        assert replayed["state"]["map"] == live
    run(scenario())


def test_tsne_maps_rerun_and_bad_requests_are_refused(server):
    async def scenario():
        a, b = await canvas(server, "map-tsne")
        cases = [
            ({"operation": "umap-layout", "params": {"colour": 1}}, "malformed"),
            ({"operation": "umap-layout", "params": {"neighbors": 1}}, "malformed"),
            ({"operation": "tsne-layout", "params": {"perplexity": "high"}}, "malformed"),
            ({"operation": "umap-layout", "inputs": ["n1"]}, "malformed"),
        ]
        for payload, code in cases:
            await a.op("op.apply", {"plugin": "latitude.maps", "params": {}, "inputs": [], "outputs": [], **payload})
            nack = await a.expect("nack", 60)
            assert nack["code"] == code, (payload, nack)
        # The client cannot write a layout itself.
        await a.op("view.layout", {"method": "umap", "params": {}, "positions": []})
        assert (await a.expect("nack"))["code"] in ("forbidden", "malformed")
        await a.op("op.apply", {"plugin": "latitude.maps", "operation": "tsne-layout",
                                "params": {"perplexity": 3}, "inputs": [], "outputs": []})
        await a.expect("ack", 60)
        first = await layout_op(b, full=True)
        assert first["payload"]["method"] == "tsne"
        await a.op("op.apply", {"plugin": "latitude.maps", "operation": "umap-layout",
                                "params": {"neighbors": 3}, "inputs": [], "outputs": []})
        await a.expect("ack", 60)
        second = await layout_op(b, full=True)
        status, body = http(server, "GET", "/v1/docs/map-tsne/state")
        assert json.loads(body)["map"]["run"] == second["id"], "a re-run replaces the map"
        # Too few nodes for a map.
        c = await Client.connect(server.url("map-small"), "rc")
        await c.join()
        await c.op("node.create", typed("only", "Just one sentence."))
        await c.expect("ack")
        await c.op("op.apply", {"plugin": "latitude.maps", "operation": "umap-layout",
                                "params": {}, "inputs": [], "outputs": []})
        assert "at least 3 nodes" in (await c.expect("nack"))["message"]
        for client in (a, b, c):
            await client.close()
    run(scenario())
