import asyncio
import base64
import time
import json
import random
import struct
import subprocess
import urllib.request

import pytest
import websockets

from latitude_tools.e2e.harness import BINARY, ROOT, SECRET, Client, Server, fp16_base64, http, python_token, raw_upgrade_status, run, token, typed, unit


def test_healthz(server):
    body = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz").read())
    assert body["status"] == "ok"


def test_two_clients_converge(server):
    async def scenario():
        a = await Client.connect(server.url("converge"), "ra", "alice")
        b = await Client.connect(server.url("converge"), "rb", "bob")
        await a.join()
        await b.join()
        for i in range(5):
            await a.op("node.create", typed(f"a{i}", f"alice says {i}"))
            await b.op("node.create", typed(f"b{i}", f"bob says {i}"))
        acks_a = [await a.expect("ack") for _ in range(5)]
        acks_b = [await b.expect("ack") for _ in range(5)]
        seen_by_a = {f["op"]["payload"]["node"] for f in a.received if f["t"] == "op"}
        seen_by_b = {f["op"]["payload"]["node"] for f in b.received if f["t"] == "op"}
        while len(seen_by_a) < 5:
            seen_by_a.add((await a.expect("op"))["op"]["payload"]["node"])
        while len(seen_by_b) < 5:
            seen_by_b.add((await b.expect("op"))["op"]["payload"]["node"])
        assert seen_by_a == {f"b{i}" for i in range(5)}
        assert seen_by_b == {f"a{i}" for i in range(5)}
        seqs = sorted(f["seq"] for f in acks_a + acks_b)
        assert seqs == list(range(1, 11)), "every op gets a distinct dense seq"
        # A third client's snapshot holds all ten nodes, with the same texts.
        c = await Client.connect(server.url("converge"), "rc")
        _, frames = await c.join()
        snapshot = next(f for f in frames if f["t"] == "snapshot")
        texts = {n["id"]: n["text"] for n in snapshot["state"]["nodes"]}
        assert texts == {**{f"a{i}": f"alice says {i}" for i in range(5)}, **{f"b{i}": f"bob says {i}" for i in range(5)}}
        assert snapshot["seq"] == 10
        assert all("latent" not in n for n in snapshot["state"]["nodes"]), "no latents in routine traffic"
        for client in (a, b, c):
            await client.close()
    run(scenario())


def test_reconnect_with_since_seq_gets_exactly_the_missed_ops(server):
    async def scenario():
        a = await Client.connect(server.url("resync"), "ra")
        await a.join()
        for i in range(3):
            await a.op("node.create", typed(f"n{i}", f"first {i}"))
            await a.expect("ack")
        b = await Client.connect(server.url("resync"), "rb")
        await b.join(since=3)
        await b.close()
        for i in range(3, 7):
            await a.op("node.create", typed(f"n{i}", f"later {i}"))
            await a.expect("ack")
        b = await Client.connect(server.url("resync"), "rb")
        joined, frames = await b.join(since=3)
        missed = [op for f in frames if f["t"] == "ops" for op in f["ops"]]
        assert [op["seq"] for op in missed] == [4, 5, 6, 7]
        assert [op["op"]["payload"]["node"] for op in missed] == ["n3", "n4", "n5", "n6"]
        assert joined["head"] == 7
        await a.close()
        await b.close()
    run(scenario())


def test_offline_edits_merge_by_lamport(server):
    async def scenario():
        a = await Client.connect(server.url("offline"), "ra")
        await a.join()
        await a.op("node.create", typed("n", "original"))
        await a.expect("ack")
        # Two replicas edited the same node while apart; b's edit has the larger lamport
        # but arrives first. The larger lamport wins whatever the arrival order.
        b = await Client.connect(server.url("offline"), "rb")
        await b.join()
        await b.op("node.setText", {"node": "n", "text": "bob's later edit"}, floor=10)
        await b.expect("ack")
        await a.op("node.setText", {"node": "n", "text": "alice's earlier edit"}, floor=4)
        await a.expect("ack")
        c = await Client.connect(server.url("offline"), "rc")
        _, frames = await c.join()
        snapshot = next(f for f in frames if f["t"] == "snapshot")
        assert [n["text"] for n in snapshot["state"]["nodes"]] == ["bob's later edit"]
        for client in (a, b, c):
            await client.close()
    run(scenario())


def test_move_along_an_axis_lands_on_the_target_coordinate(server):
    async def scenario():
        a = await Client.connect(server.url("axes"), "ra")
        b = await Client.connect(server.url("axes"), "rb")
        await a.join()
        await b.join()
        await a.op("axis.create", {
            "axis": "mood", "name": "Mood", "poles": {"negative": "sad", "positive": "happy"},
            "provider": "test", "params": {}, "direction": fp16_base64(unit(1)),
            "calibration": {"negativeMean": -0.2, "positiveMean": 0.3}})
        await a.expect("ack")
        await a.op("node.create", typed("n", "a sentence to move"))
        await a.expect("ack")
        await a.op("node.move", {"node": "n", "coordinates": [{"axis": "mood", "value": 0.75}]})
        await a.expect("ack")
        move = None
        while move is None:
            frame = await b.expect("op")
            if frame["op"]["kind"] == "node.move":
                move = frame
        assert "latent" not in move["op"]["payload"]
        assert abs(move["op"]["payload"]["coords"]["mood"]["at"] - 0.75) < 0.01
        await a.close()
        await b.close()
    run(scenario())


def test_bad_input_gets_errors_and_the_connection_survives(server):
    async def scenario():
        a = await Client.connect(server.url("bad"), "ra")
        await a.join()
        bad_frames = [
            "not json", "[]", json.dumps({"no": "type"}), json.dumps({"t": "teleport"}),
            json.dumps({"t": "drag", "node": "n"}), json.dumps({"t": "op"}),
            json.dumps({"t": "op", "op": {"id": {"lamport": 1, "replica": "someone-else"}, "kind": "node.delete", "payload": {"node": "x"}}}),
            json.dumps({"t": "op", "op": {"id": {"lamport": 1, "replica": "ra"}, "kind": "node.explode", "payload": {}}}),
            json.dumps({"t": "op", "op": {"id": {"lamport": 2, "replica": "ra"}, "kind": "node.create", "payload": typed("n", "")}}),
            json.dumps({"t": "op", "op": {"id": {"lamport": 3, "replica": "ra"}, "kind": "node.create", "payload": typed("n", "x" * 5000)}}),
            json.dumps({"t": "op", "op": {"id": {"lamport": 4, "replica": "ra"}, "kind": "node.move", "payload": {"node": "ghost", "coordinates": [{"axis": "a", "value": 1}]}}}),
            json.dumps({"t": "op", "op": {"id": {"lamport": 5000000, "replica": "ra"}, "kind": "node.create", "payload": typed("far", "too far ahead")}}),
            json.dumps({"t": "op", "op": {"id": {"lamport": 6, "replica": "ra"}, "kind": "node.create", "payload": {"node": "nan", "latent": fp16_base64([float("nan")] * 384), "origin": {"kind": "typed", "parents": []}}}}),
            json.dumps({"t": "op", "op": {"id": {"lamport": 7, "replica": "ra"}, "kind": "node.decoded", "payload": {}}}),
        ]
        codes = []
        for frame in bad_frames:
            await a.ws.send(frame)
            reply = await a.recv()
            assert reply["t"] in ("error", "nack"), (frame, reply)
            assert reply["message"], reply
            codes.append(reply["code"])
        assert "unknown_type" in codes and "unknown_kind" in codes and "empty_text" in codes
        assert "text_too_long" in codes and "unknown_node" in codes and "lamport_too_far_ahead" in codes
        assert "non_finite" in codes and "wrong_replica" in codes and "forbidden" in codes
        # The connection still works.
        await a.op("node.create", typed("ok", "still alive"), floor=10)
        assert (await a.expect("ack"))["seq"] == 1
        await a.close()
    run(scenario())


def test_oversized_frame_is_closed_with_1009(server):
    async def scenario():
        a = await Client.connect(server.url("big"), "ra")
        await a.ws.send("x" * (1 << 20 + 1))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            for _ in range(5):
                await a.recv()
        assert closed.value.rcvd.code == 1009
        # The server stays up for others.
        b = await Client.connect(server.url("big"), "rb")
        await b.join()
        await b.close()
    run(scenario())


def test_every_acked_op_survives_sigkill(tmp_path):
    server = Server(tmp_path / "kill.sqlite").start()

    async def write_until_killed():
        a = await Client.connect(server.url("kill"), "ra")
        await a.join()
        await a.op("node.create", typed("n", "start"))
        acked = {(await a.expect("ack"))["seq"]}
        ops = {}
        for i in range(400):
            op_id = await a.op("node.setText", {"node": "n", "text": f"edit {i}"})
            ops[op_id["lamport"]] = f"edit {i}"
        try:
            # The kill ends this loop at once (the connection closes); the timeout only
            # bounds a stall, and a loaded machine may take seconds to encode the first
            # texts (CI failed once at 5 s with a build running beside it).
            while True:
                frame = await a.recv(timeout=30)
                if frame["t"] == "ack":
                    acked.add(frame["seq"])
                    if len(acked) == 150:
                        server.kill()
        except (websockets.ConnectionClosed, asyncio.TimeoutError):
            pass
        return acked

    acked = run(write_until_killed())
    assert len(acked) >= 150, f"{len(acked)} acks before the kill; server log:\n{server.log_tail()}"
    restarted = Server(tmp_path / "kill.sqlite").start()

    async def resync():
        b = await Client.connect(restarted.url("kill"), "rb")
        joined, frames = await b.join(since=0)
        seqs = [op["seq"] for f in frames if f["t"] == "ops" for op in f["ops"]]
        await b.close()
        return joined["head"], seqs

    head, seqs = run(resync())
    restarted.stop()
    assert seqs == list(range(1, head + 1)), "dense seqs after restart"
    assert acked <= set(seqs), f"lost acked seqs: {sorted(acked - set(seqs))[:10]}"


def test_sigterm_sends_going_away_and_exits_zero(tmp_path):
    server = Server(tmp_path / "term.sqlite").start()

    async def scenario():
        a = await Client.connect(server.url("term"), "ra")
        await a.join()
        server.process.send_signal(15)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            for _ in range(5):
                await a.recv()
        return closed.value.rcvd.code if closed.value.rcvd else None

    code = run(scenario())
    assert code == 1001
    assert server.process.wait(timeout=20) == 0


def test_op_flood_gets_nack_429_with_retry_after(tmp_path):
    server = Server(tmp_path / "flood.sqlite", "--frames-per-second", "5", "--frame-burst", "5").start()

    async def scenario():
        a = await Client.connect(server.url("flood"), "ra")
        await a.join()
        for i in range(12):
            await a.op("node.create", typed(f"n{i}", f"flood {i}"))
        replies = [await a.expect_any(("ack", "nack")) for _ in range(12)]
        limited = [r for r in replies if r["t"] == "nack"]
        assert limited and all(r["code"] == "rate_limited" and r["status"] == 429 and r["retryAfterMs"] > 0 for r in limited)
        assert all(r["opId"]["replica"] == "ra" for r in limited), "a nack names the op it refuses"
        assert any(r["t"] == "ack" for r in replies)
        await asyncio.sleep(1.5)
        await a.op("node.create", typed("later", "after waiting"))
        assert (await a.expect_any(("ack", "nack")))["t"] == "ack"
        await a.close()

    try:
        run(scenario())
    finally:
        server.stop()


def test_rest_api_and_metrics(server):
    status, body = http(server, "POST", "/v1/docs", {"id": "rest", "title": "REST doc"})
    assert status == 201 and json.loads(body)["title"] == "REST doc"
    assert http(server, "POST", "/v1/docs", {"id": "rest"})[0] == 409
    assert http(server, "POST", "/v1/docs", {"nope": 1})[0] == 400

    async def write():
        a = await Client.connect(server.url("rest"), "ra")
        await a.join()
        for i in range(3):
            await a.op("node.create", typed(f"n{i}", f"rest node {i}"))
            await a.expect("ack")
        await a.close()
    run(write())

    status, body = http(server, "GET", "/v1/docs")
    assert status == 200 and [d["id"] for d in json.loads(body)] == ["rest"]
    status, body = http(server, "GET", "/v1/docs/rest/ops?from=2&limit=5")
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert status == 200 and [line["seq"] for line in lines] == [2, 3]
    status, body = http(server, "GET", "/v1/docs/rest/state?seq=2")
    state = json.loads(body)
    assert status == 200 and state["seq"] == 2 and len(state["nodes"]) == 2
    assert http(server, "GET", "/v1/docs/rest/state?seq=99")[0] == 400
    assert http(server, "GET", "/v1/docs/missing/state")[0] == 404
    status, body = http(server, "POST", "/v1/encode", {"texts": ["hello there", "good morning"]})
    results = json.loads(body)["results"]
    assert status == 200 and len(results) == 2 and len(base64.b64decode(results[0]["latent"])) == 768
    assert http(server, "POST", "/v1/encode", {"texts": []})[0] == 400
    assert http(server, "GET", "/nowhere")[0] == 404
    status, body = http(server, "GET", "/metrics")
    text = body.decode()
    assert status == 200 and 'latitude_ops_total{outcome="committed"} 3' in text
    assert "latitude_commit_seconds_bucket" in text and "latitude_rooms 1" in text


def test_tokens_scope_roles_and_expiry(tmp_path):
    server = Server(tmp_path / "auth.sqlite", "--secret", SECRET).start()

    async def scenario():
        editor = await Client.connect(server.url("secure") + "?token=" + token("secure", "editor", sub="ed"), "re")
        assert editor.received[-1]["role"] == "editor"
        await editor.join()
        await editor.op("node.create", typed("n", "by the editor"))
        assert (await editor.expect("ack"))["seq"] == 1
        assert editor.received[-1]["t"] == "ack"

        viewer = await Client.connect(server.url("secure") + "?token=" + token("secure", "viewer"), "rv")
        _, frames = await viewer.join()
        snapshot = next(f for f in frames if f["t"] == "snapshot")
        assert snapshot["state"]["nodes"][0]["text"] == "by the editor"
        await viewer.op("node.setText", {"node": "n", "text": "by the viewer"})
        nack = await viewer.expect("nack")
        assert nack["status"] == 403 and nack["code"] == "forbidden"

        expired = python_token({"doc": "secure", "exp": int(time.time()) - 5, "role": "editor"})
        forged = python_token({"doc": "secure", "exp": int(time.time()) + 600, "role": "owner"}, secret="wrong-secret-xxxxxxxx")
        fresh = python_token({"doc": "secure", "exp": int(time.time()) + 600, "role": "viewer"})
        assert (await Client.connect(server.url("secure") + "?token=" + fresh, "rp")).received[-1]["role"] == "viewer"
        for bad in ["", "?token=garbage", "?token=" + token("other-doc", "editor"), "?token=" + expired, "?token=" + forged]:
            with pytest.raises((websockets.InvalidStatus, websockets.InvalidMessage)):
                await websockets.connect(server.url("secure") + bad)
            assert raw_upgrade_status(server.port, "/v1/docs/secure" + bad) == 403
        # The editor's connection is unaffected by the refused ones.
        await editor.op("node.setText", {"node": "n", "text": "still editing"})
        assert (await editor.expect("ack"))["seq"] == 2
        await editor.close()
        await viewer.close()

    try:
        run(scenario())
    finally:
        server.stop()


def test_presence_reaches_peers_and_late_joiners(server):
    async def scenario():
        a = await Client.connect(server.url("presence"), "ra", "alice")
        await a.join()
        b = await Client.connect(server.url("presence"), "rb", "bob")
        await b.join()
        await a.send({"t": "presence", "cursor": [0.25, -0.5], "selection": ["n1"]})
        seen = await b.expect("presence")
        assert seen["actor"] == "alice" and seen["cursor"] == [0.25, -0.5]
        # A client joining later gets alice's current presence right away.
        c = await Client.connect(server.url("presence"), "rc", "carol")
        _, frames = await c.join()
        assert any(f["t"] == "presence" and f.get("actor") == "alice" for f in frames + c.received)
        for client in (a, b, c):
            await client.close()
    run(scenario())


def test_with_a_secret_the_rest_api_needs_tokens(tmp_path):
    server = Server(tmp_path / "rest-auth.sqlite", "--secret", SECRET).start()
    try:
        def status(path, bearer=None):
            request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}")
            if bearer:
                request.add_header("Authorization", f"Bearer {bearer}")
            try:
                return urllib.request.urlopen(request).status
            except urllib.error.HTTPError as error:
                return error.code
        doc_token = token("secure", "viewer")
        assert status("/healthz") == 200
        assert status("/") == 200  # the page itself; it sends the token from its link
        assert status("/v1/axes") == 200
        assert status("/v1/docs/secure/state") == 403
        assert status(f"/v1/docs/secure/state?token={token('other', 'owner')}") == 403
        assert status(f"/v1/docs/secure/state?token={doc_token}") in (200, 404)
        assert status("/v1/docs/secure/projections", bearer=doc_token) in (200, 404)
        assert status("/v1/docs") == 403
        assert status("/v1/docs", bearer=doc_token) == 403
        assert status("/v1/docs", bearer=token("*", "owner")) == 200
    finally:
        server.stop()


def test_frames_sent_before_welcome_are_handled_in_order(server):
    """The room opens off the transport thread; what a client sends meanwhile waits its turn."""
    async def scenario():
        ws = await websockets.connect(server.url("eager"))
        frames = [{"t": "hello", "replica": "re", "actor": "eager", "protocol": 1}, {"t": "join"}]
        for lamport in range(1, 6):
            frames.append({"t": "op", "op": {"id": {"lamport": lamport, "replica": "re"}, "kind": "node.create",
                                             "payload": {"node": f"e{lamport}", "latent": fp16_base64(unit(lamport)),
                                                         "origin": {"kind": "typed", "parents": []}}}})
        frames.append({"t": "hello", "replica": "again", "protocol": 1})
        for frame in frames:
            await ws.send(json.dumps(frame))
        seen = []
        while len([f for f in seen if f["t"] in ("ack", "error")]) < 6:
            seen.append(json.loads(await asyncio.wait_for(ws.recv(), 20)))
        kinds = [f["t"] for f in seen if f["t"] in ("welcome", "joined", "ack")]
        assert kinds[:2] == ["welcome", "joined"], kinds
        assert [f["opId"]["lamport"] for f in seen if f["t"] == "ack"] == [1, 2, 3, 4, 5]
        assert [f["code"] for f in seen if f["t"] == "error"] == ["hello_once"]
        await ws.close()

    run(scenario())


def test_the_shipped_config_file_starts_a_server(tmp_path):
    """deploy/latitude.conf, as shipped (empty values included), is a valid config file; a
    malformed line or an unknown key is refused with its line number."""
    shipped = ROOT / "deploy/latitude.conf"
    server = Server(tmp_path / "conf.sqlite", "--config", str(shipped), "--no-decoder").start()
    try:
        body = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz").read())
        assert body["status"] == "ok"
    finally:
        assert server.stop() == 0
    lines = shipped.read_text().splitlines()
    for bad, why in [("colour = blue", "known key"), ("port 8080", "key = value")]:
        broken = tmp_path / "broken.conf"
        broken.write_text("\n".join(lines[:3] + [bad] + lines[3:]) + "\n")
        refused = subprocess.run([BINARY, "serve", "--config", str(broken), "--port", "0",
                                  "--db", str(tmp_path / "b.sqlite")],
                                 capture_output=True, text=True, timeout=60)
        assert refused.returncode != 0, bad
        assert "broken.conf:4:" in refused.stderr and why in refused.stderr, refused.stderr[-400:]
