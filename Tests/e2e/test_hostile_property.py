"""Property test: seeded random sequences of client frames, valid and invalid, from several
clients against a running server never kill it and never make an acked op disappear.
LATITUDE_PROPERTY_SEED and LATITUDE_PROPERTY_FRAMES change the run (CI uses the defaults)."""
import asyncio
import json
import os
import random

import websockets

from latitude_tools.e2e.harness import Client, fp16_base64, http, run, unit


SEED = int(os.environ.get("LATITUDE_PROPERTY_SEED", "12"))
FRAMES = int(os.environ.get("LATITUDE_PROPERTY_FRAMES", "600"))

NASTY_NUMBERS = [0, -1, 1.5, 2 ** 64 - 1, 2 ** 64, 2 ** 70, -(2 ** 63), 1e308, "7", None, True, [], {}]
NASTY_STRINGS = ["", "x" * 300, "latitude-server", "\u0000\u0007", "é" * 200, "a" * 3000, None, 5, []]


def nasty(rng, pool):
    return rng.choice(pool)


def random_frame(rng, client, known_nodes, known_axes):
    """One frame: a valid op most of the time, otherwise a broken one of many shapes."""
    roll = rng.random()
    node = rng.choice(known_nodes) if known_nodes and rng.random() < 0.8 else f"n{rng.randrange(200)}"
    if roll < 0.25:
        node_id = f"n{rng.randrange(200)}"
        payload = {"node": node_id, "latent": fp16_base64(unit(rng.randrange(10 ** 6))),
                   "origin": {"kind": "typed", "parents": []}}
        return "create", node_id, {"t": "op", "op": {"id": client.next_id(), "kind": "node.create", "payload": payload}}
    if roll < 0.35 and known_axes:
        coordinates = [{"axis": rng.choice(known_axes), "value": rng.uniform(-3, 3)}]
        return "op", None, {"t": "op", "op": {"id": client.next_id(), "kind": "node.move",
                                              "payload": {"node": node, "coordinates": coordinates}}}
    if roll < 0.45:
        operation = rng.choice(["mix", "blur", "move-along-axes", "analogy", "pca-layout", "nope"])
        inputs = [rng.choice(known_nodes or ["n0"]) for _ in range(rng.choice([0, 1, 2, 3, 17, 40, 70]))]
        params = rng.choice([{}, {"weights": [1, 2]}, {"targets": {a: 1.0 for a in known_axes}}, "x", 5, None,
                             {"count": 16, "radius": 0.3}, {"count": 10 ** 9}])
        op_id = client.next_id() if rng.random() < 0.7 else {"lamport": nasty(rng, NASTY_NUMBERS),
                                                               "replica": client.replica}
        return "op", None, {"t": "op", "op": {"id": op_id, "kind": "op.apply", "payload": {
            "plugin": "builtin-ops", "operation": operation, "params": params, "inputs": inputs, "outputs": []}}}
    if roll < 0.5:
        axis_id = f"ax{rng.randrange(20)}"
        calibration = rng.choice([{"negativeMean": -0.3, "positiveMean": 0.3}, {"negativeMean": 0, "positiveMean": 1e-44},
                                  {"negativeMean": 1, "positiveMean": 1}, {"negativeMean": -3e38, "positiveMean": 3e38}])
        direction = rng.choice([unit(rng.randrange(1000)), [0.0] * 384, [1.0] * 10])
        return "axis", axis_id, {"t": "op", "op": {"id": client.next_id(), "kind": "axis.create", "payload": {
            "axis": axis_id, "name": "a", "poles": {"negative": "-", "positive": "+"}, "provider": "examples",
            "params": {}, "direction": fp16_base64(direction), "calibration": calibration}}}
    if roll < 0.6:
        return "ephemeral", None, rng.choice([
            {"t": "drag", "node": nasty(rng, NASTY_STRINGS), "x": rng.choice([0.5, 1e308]), "y": 0},
            {"t": "drag", "node": node, "x": 0.1, "y": -0.2},
            {"t": "presence", "cursor": [1, 2], "selection": [node]},
            {"t": "presence", "cursor": [nasty(rng, NASTY_NUMBERS)] * 3, "dragging": nasty(rng, NASTY_STRINGS)},
        ])
    if roll < 0.7:
        return "history", None, {"t": "history", "from": nasty(rng, NASTY_NUMBERS + [1]), "to": nasty(rng, NASTY_NUMBERS)}
    if roll < 0.85:
        kind = rng.choice(["node.setText", "node.delete", "view.bind", "node.decoded", "axis.delete", "bogus"])
        payload = rng.choice([{"node": node, "text": nasty(rng, NASTY_STRINGS)}, {"node": node}, {"x": node, "y": None},
                              {"axis": nasty(rng, NASTY_STRINGS)}, None, [], "payload"])
        op_id = client.next_id() if rng.random() < 0.6 else {"lamport": nasty(rng, NASTY_NUMBERS),
                                                               "replica": nasty(rng, NASTY_STRINGS)}
        return "op", None, {"t": "op", "op": {"id": op_id, "kind": kind, "payload": payload}}
    return "raw", None, rng.choice([b"\xff\xfe", "{", "[]", "null", '{"t":5}', '{"t":"op"}', '{"t":"op","op":[]}',
                                    '{"t":"join","sinceSeq":-9223372036854775808}', '{"t":"hello","protocol":2}',
                                    json.dumps({"t": "op", "op": {"id": {"lamport": 1}, "kind": "node.create"}})])


def test_random_frames_never_kill_the_server_or_lose_an_acked_op(server):
    rng = random.Random(SEED)

    async def scenario():
        clients = [await Client.connect(server.url("prop"), f"rp{i}") for i in range(3)]
        for client in clients:
            await client.join()
        known_nodes, known_axes, acked = [], [], {}
        pending = {}
        for _ in range(FRAMES):
            client = rng.choice(clients)
            what, name, frame = random_frame(rng, client, known_nodes, known_axes)
            if isinstance(frame, bytes):
                # Binary frames close their connection (1003): sent on a throwaway one.
                throwaway = await websockets.connect(server.url("prop"))
                await throwaway.send(frame)
                try:
                    await asyncio.wait_for(throwaway.recv(), 5)
                except websockets.ConnectionClosed as closed:
                    assert closed.rcvd and closed.rcvd.code == 1003
            elif isinstance(frame, str):
                await client.ws.send(frame)
            else:
                await client.ws.send(json.dumps(frame))
                if frame.get("t") == "op" and isinstance(frame["op"].get("id"), dict):
                    pending[json.dumps(frame["op"]["id"], sort_keys=True)] = (what, name)
            # Drain what has arrived, recording acks.
            for other in clients:
                while True:
                    try:
                        message = json.loads(await asyncio.wait_for(other.ws.recv(), 0.02))
                    except asyncio.TimeoutError:
                        break
                    if message.get("t") == "ack":
                        key = json.dumps(message["opId"], sort_keys=True)
                        acked[key] = message["seq"]
                        what_name = pending.get(key)
                        if what_name and what_name[0] == "create":
                            known_nodes.append(what_name[1])
                        if what_name and what_name[0] == "axis":
                            known_axes.append(what_name[1])
        await asyncio.sleep(1)
        for client in clients:
            await client.close()
        return acked

    acked = run(scenario())
    assert acked, "no op was acked: the generator is broken"
    status, body = http(server, "GET", "/healthz")
    assert status == 200
    status, body = http(server, "GET", "/v1/docs/prop/ops?limit=10000")
    logged = {}
    for line in body.decode().splitlines():
        entry = json.loads(line)
        logged[json.dumps(entry["op"]["id"], sort_keys=True)] = entry["seq"]
    for key, seq in acked.items():
        assert logged.get(key) == seq, f"acked op {key} at seq {seq} is not in the log"
    # The document still renders for a late joiner, REST and all.
    assert http(server, "GET", "/v1/docs/prop/projections")[0] == 200
    assert http(server, "GET", "/v1/docs/prop/state")[0] == 200

    async def late():
        client = await Client.connect(server.url("prop"), "rlate")
        _, frames = await client.join()
        assert frames and frames[0]["t"] == "snapshot"
        await client.close()

    run(late())
