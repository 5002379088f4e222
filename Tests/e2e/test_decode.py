"""The re-decode pipeline end to end: moves come back as text for everyone, bursts
coalesce without losing the final move, drags get previews, and a decode lost to a
restart is made when the document is next opened."""
import asyncio
import json

from latitude_tools.e2e.harness import Client, Server, decoded_for, fp16_base64, run, typed, unit


MOOD = {
    "axis": "mood", "name": "Mood", "poles": {"negative": "sad", "positive": "happy"},
    "provider": "test", "params": {}, "direction": fp16_base64(unit(1)),
    "calibration": {"negativeMean": -0.2, "positiveMean": 0.3}}


async def canvas(server, doc):
    a = await Client.connect(server.url(doc), "ra")
    b = await Client.connect(server.url(doc), "rb")
    await a.join()
    await b.join()
    await a.op("axis.create", MOOD)
    await a.expect("ack")
    await a.op("node.create", typed("n", "the soup was cold and bland"))
    await a.expect("ack")
    return a, b


def test_a_move_is_decoded_for_everyone(server):
    async def scenario():
        a, b = await canvas(server, "decode")
        move = await a.op("node.move", {"node": "n", "coordinates": [{"axis": "mood", "value": 0.9}]})
        await a.expect("ack")
        for client in (a, b):
            frame = await decoded_for(client, move)
            payload = frame["op"]["payload"]
            assert frame["op"]["actor"] == "latitude"
            assert payload["text"]
            assert -1 <= payload["fidelity"] <= 1
            assert payload["source"] in ("generated", "bank")
            assert payload["decoderVersion"].startswith("latitude-prefix")
            assert len(payload["runnersUp"]) <= 3
        c = await Client.connect(server.url("decode"), "rc")
        _, frames = await c.join()
        node = next(f for f in frames if f["t"] == "snapshot")["state"]["nodes"][0]
        assert node["text"] == payload["text"]
        for client in (a, b, c):
            await client.close()
    run(scenario())


def test_a_move_shows_provisional_stages_before_its_logged_text(server):
    """Early stages (the bank's nearest sentence, then greedy text) reach every peer as
    ephemeral decode.stage frames, each better than the last, before the node.decoded that
    answers the same move; a client that joins afterwards sees only the logged result."""
    async def scenario():
        a, b = await canvas(server, "stages")
        move = await a.op("node.move", {"node": "n", "coordinates": [{"axis": "mood", "value": 1.3}]})
        await a.expect("ack")
        final = await decoded_for(b, move)
        stages = [f for f in b.received if f["t"] == "decode.stage"]
        assert stages, "no provisional stage before the logged text"
        assert all(f["answers"] == move and f["node"] == "n" for f in stages)
        assert stages[0]["stage"] == "bank" and stages[0]["source"] == "bank"
        fidelities = [f["fidelity"] for f in stages]
        assert fidelities == sorted(fidelities) and len(set(fidelities)) == len(fidelities)
        order = [f["t"] for f in b.received]
        assert max(i for i, t in enumerate(order) if t == "decode.stage") < b.received.index(final)
        assert final["op"]["payload"]["fidelity"] >= fidelities[-1] - 0.01
        # The mover sees the stages too.
        await decoded_for(a, move)
        assert any(f["t"] == "decode.stage" for f in a.received)
        c = await Client.connect(server.url("stages"), "rc")
        _, frames = await c.join()
        assert not any(f["t"] == "decode.stage" for f in frames)
        for client in (a, b, c):
            await client.close()
    run(scenario())


def test_a_burst_of_moves_ends_with_the_final_move_decoded(server):
    async def scenario():
        a, b = await canvas(server, "burst")
        moves = []
        for step in range(12):
            moves.append(await a.op("node.move", {
                "node": "n", "coordinates": [{"axis": "mood", "value": -1 + step / 6}]}))
        for _ in moves:
            await a.expect("ack")
        final = await decoded_for(b, moves[-1])
        answered = [f["op"]["payload"]["answers"] for f in b.received
                    if f["t"] == "op" and f["op"]["kind"] == "node.decoded"]
        assert answered[-1] == moves[-1]
        assert len(answered) < len(moves), "a burst should coalesce"
        assert final["op"]["payload"]["text"]
        await a.close()
        await b.close()
    run(scenario())


def test_drags_get_ephemeral_previews(server):
    async def scenario():
        a, b = await canvas(server, "preview")
        await a.op("view.bind", {"x": "mood"})
        await a.expect("ack")
        await a.send({"t": "drag", "node": "n", "x": 0.8, "y": 0})
        preview = await b.expect("preview", timeout=60)
        assert preview["node"] == "n" and preview["text"]
        mine = await a.expect("preview", timeout=60)
        assert mine["text"] == preview["text"]
        c = await Client.connect(server.url("preview"), "rc")
        _, frames = await c.join()
        assert not any(f["t"] == "ops" and any(o["op"]["kind"] == "node.decoded" for o in f["ops"])
                       for f in frames)
        for client in (a, b, c):
            await client.close()
    run(scenario())


def test_a_decode_lost_to_a_restart_is_made_on_reopen(tmp_path):
    async def without_decoder(s):
        a = await Client.connect(s.url("later"), "ra")
        await a.join()
        await a.op("axis.create", MOOD)
        await a.expect("ack")
        await a.op("node.create", typed("n", "a quiet morning by the sea"))
        await a.expect("ack")
        move = await a.op("node.move", {"node": "n", "coordinates": [{"axis": "mood", "value": -0.8}]})
        await a.expect("ack")
        await a.close()
        return move

    db = tmp_path / "later.sqlite"
    first = Server(db, "--no-decoder").start()
    move = run(without_decoder(first))
    assert first.stop() == 0
    second = Server(db).start()
    try:
        async def reopen():
            a = await Client.connect(second.url("later"), "ra2")
            await a.join()
            frame = await decoded_for(a, move)
            assert frame["op"]["payload"]["text"]
            await a.close()
        run(reopen())
    finally:
        second.stop()


def test_a_sweep_answers_the_asker_step_by_step_and_a_step_can_be_dropped_on_the_canvas(server):
    """The texts at evenly spaced coordinates along an axis reach only the client that asked,
    one sweep.step per step with its latent; dropped as a node.create, a step's point
    decodes to the step's text. Bad sweeps get clear errors and the connection survives."""
    async def scenario():
        a, b = await canvas(server, "sweep")
        await b.send({"t": "sweep", "node": "n", "axis": "mood", "from": -2, "to": 2, "steps": 5})
        steps = {}
        while len(steps) < 5:
            frame = await b.expect("sweep.step", timeout=120)
            steps[frame["index"]] = frame
        assert [steps[i]["value"] for i in range(5)] == [-2, -1, 0, 1, 2]
        assert all(s["text"] and s["node"] == "n" and s["axis"] == "mood" for s in steps.values())
        assert all(-1 <= s["fidelity"] <= 1 and s["steps"] == 5 for s in steps.values())
        assert not any(f["t"] == "sweep.step" for f in a.received)
        # Drop the last step on the canvas: it decodes to the text the sweep showed.
        await b.op("node.create", {"node": "swept", "latent": steps[4]["latent"],
                                   "origin": {"kind": "derived", "parents": ["n"]}})
        await b.expect("ack")
        decoded = None
        while decoded is None:
            frame = await b.expect("op", timeout=120)
            if frame["op"]["kind"] == "node.decoded" and frame["op"]["payload"]["node"] == "swept":
                decoded = frame["op"]["payload"]
        assert decoded["text"] == steps[4]["text"]
        for bad, code in (({"node": "ghost", "axis": "mood", "from": -1, "to": 1, "steps": 3}, "unknown_node"),
                          ({"node": "n", "axis": "nope", "from": -1, "to": 1, "steps": 3}, "unknown_axis"),
                          ({"node": "n", "axis": "mood", "from": -1, "to": 1, "steps": 1}, "malformed"),
                          ({"node": "n", "axis": "mood", "from": -9, "to": 1, "steps": 3}, "malformed")):
            await b.ws.send(json.dumps({"t": "sweep", **bad}))  # off the schema: not recorded
            error = await b.expect("error")
            assert error["code"] == code, (bad, error)
        await b.send({"t": "join"})  # still connected and answered
        for client in (a, b):
            await client.close()
    run(scenario())


def test_the_ack_of_a_node_op_carries_its_coordinates_as_peers_see_them(server):
    async def scenario():
        a, b = await canvas(server, "ackcoords")
        move = await a.op("node.move", {"node": "n", "coordinates": [{"axis": "mood", "value": 0.8}]})
        ack = await a.expect("ack")
        peer = await b.expect("op")
        while peer["op"]["kind"] != "node.move":
            peer = await b.expect("op")
        assert ack["opId"] == move and ack["coords"] == peer["op"]["payload"]["coords"]
        assert abs(ack["coords"]["mood"]["at"] - 0.8) < 0.01
        await a.op("view.bind", {"x": "mood"})
        assert "coords" not in await a.expect("ack"), "only node ops carry coordinates"
        for client in (a, b):
            await client.close()
    run(scenario())
