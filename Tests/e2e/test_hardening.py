"""Regression tests for what a hostile client found (issue 12): each request here brought the
whole server down, or corrupted a document, before the fix. After each, the server must
still serve every room and every acked op must still be in the log."""
import asyncio
import json
import os
import pathlib
import socket
import subprocess
import threading
import time

import pytest
import websockets

from latitude_tools.e2e.harness import BINARY, ROOT, SECRET, Client, Server, fp16_base64, http, run, token, typed, unit


async def still_serving(server, doc="alive"):
    """The server answers HTTP and a fresh WebSocket session can write."""
    status, body = http(server, "GET", "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    probe = await Client.connect(server.url(doc), "r-probe-" + str(time.monotonic_ns()))
    await probe.join()
    await probe.op("node.create", {"node": f"probe-{time.monotonic_ns()}", "latent": fp16_base64(unit(9)),
                                   "origin": {"kind": "typed", "parents": []}})
    assert (await probe.expect_any({"ack", "nack"}))["t"] == "ack"
    await probe.close()


def logged_ops(server, doc):
    status, body = http(server, "GET", f"/v1/docs/{doc}/ops?limit=10000")
    assert status == 200
    return [json.loads(line) for line in body.decode().splitlines() if line]


def edits(server, doc):
    """The log without node.decoded ops, which the decode pool adds in its own time."""
    return [e for e in logged_ops(server, doc) if e["op"]["kind"] != "node.decoded"]


async def nodes(client, count, prefix="n"):
    for index in range(count):
        await client.op("node.create", {"node": f"{prefix}{index}", "latent": fp16_base64(unit(index)),
                                        "origin": {"kind": "typed", "parents": []}})
        assert (await client.expect_any({"ack", "nack"}))["t"] == "ack"


async def axis(client, axis_id="sent"):
    await client.op("axis.create", {"axis": axis_id, "name": axis_id, "provider": "pack",
                                    "params": {"axis": "sentiment"}})
    assert (await client.expect_any({"ack", "nack"}))["t"] == "ack"


ABSENT = object()


async def apply(client, operation, inputs, params=ABSENT, lamport=None):
    op_id = client.next_id() if lamport is None else {"lamport": lamport, "replica": client.replica}
    payload = {"plugin": "builtin-ops", "operation": operation, "inputs": inputs, "outputs": []}
    if params is not ABSENT:
        payload["params"] = params
    # Sent raw: some of these frames break the schema on purpose.
    await client.ws.send(json.dumps({"t": "op", "op": {"id": op_id, "kind": "op.apply", "payload": payload}}))
    return await client.expect_any({"ack", "nack"}, 60)


def test_finding_1_move_along_axes_with_more_inputs_than_the_old_fixed_buffer(server):
    async def scenario():
        a = await Client.connect(server.url("many"), "ra")
        await a.join()
        await nodes(a, 40)
        await axis(a)
        reply = await apply(a, "move-along-axes", [f"n{i}" for i in range(40)], {"targets": {"sent": 1.5}})
        assert reply["t"] == "ack", reply
        moves = [e for e in logged_ops(server, "many") if e["op"]["kind"] == "node.move"]
        assert len(moves) == 40
        await still_serving(server, "many")
        await a.close()

    run(scenario())


def test_finding_1_offline_op_move_with_many_texts():
    texts = [f"Sentence number {i} about the weather." for i in range(20)]
    result = subprocess.run([BINARY, "op", "move", "--axis", "sentiment", "--to=1.5", "--candidates", "1", *texts],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]


def test_finding_2_empty_rest_responses(server):
    assert http(server, "POST", "/v1/docs", {"id": "e1"})[0] == 201
    assert http(server, "GET", "/v1/docs/e1/ops") == (200, b"")
    assert http(server, "GET", "/v1/docs/e1/ops?from=999") == (200, b"")
    assert http(server, "GET", "/v1/docs/e1/ops?from=-5&limit=-1")[0] == 200
    run(still_serving(server))


def test_findings_3_and_4_bad_params_and_lamports_are_nacked(server):
    async def scenario():
        a = await Client.connect(server.url("params"), "ra")
        await a.join()
        await nodes(a, 2)
        for params in ["x", 5, True, None, [1, 2]]:
            reply = await apply(a, "mix", ["n0", "n1"], params)
            assert reply["t"] == "nack" and reply["code"] == "malformed", reply
        for lamport in [18446744073709551615, -1, 2 ** 70, 0, "7", 1.5]:
            reply = await apply(a, "mix", ["n0", "n1"], {}, lamport=lamport)
            assert reply["t"] == "nack", (lamport, reply)
        assert not [e for e in logged_ops(server, "params") if e["op"]["kind"] == "op.apply"]
        await still_serving(server, "params")
        await a.close()

    run(scenario())


def listening_addresses(pid):
    """Local addresses of the TCP sockets the process listens on, from /proc."""
    inodes = set()
    for fd in pathlib.Path(f"/proc/{pid}/fd").iterdir():
        target = str(fd.readlink()) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table, width in (("tcp", 8), ("tcp6", 32)):
        for line in pathlib.Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # LISTEN
                found.append((table, fields[1].split(":")[0]))
    return found


LOOPBACK = {("tcp", "0100007F"), ("tcp6", "00000000000000000000000001000000")}


def test_finding_5_without_a_secret_only_loopback_listens(tmp_path):
    for extra in ([], ["--host", "localhost"], ["--host", "127.0.0.1"], ["--host", "::1"]):
        server = Server(tmp_path / "bind.sqlite", *extra).start()
        try:
            addresses = listening_addresses(server.process.pid)
            assert addresses and set(addresses) <= LOOPBACK, (extra, addresses)
            if extra == ["--host", "localhost"]:
                assert set(addresses) == LOOPBACK
            assert http(server, "GET", "/healthz")[0] == 200 if extra != ["--host", "::1"] else True
        finally:
            server.stop()
    refused = subprocess.run([BINARY, "serve", "--host", "0.0.0.0", "--port", "0", "--db", str(tmp_path / "x.sqlite")],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "loopback" in refused.stderr


def test_findings_6_to_8_a_refused_or_retried_op_apply_changes_nothing(server):
    async def scenario():
        a = await Client.connect(server.url("refused"), "ra")
        await a.join()
        await nodes(a, 3)
        start = len(edits(server, "refused"))
        # 6: refused for lamport 0, and pca-layout over the input limit: nothing is logged.
        assert (await apply(a, "mix", ["n0", "n1"], {}, lamport=0))["code"] == "zero_lamport"
        await nodes(a, 70, prefix="p")
        start = len(edits(server, "refused"))
        reply = await apply(a, "pca-layout", [f"p{i}" for i in range(70)], {})
        assert reply["t"] == "nack"
        assert len(edits(server, "refused")) == start
        # 7: a lamport far ahead is refused and leaves the room's clock alone.
        assert (await apply(a, "mix", ["n0", "n1"], {}, lamport=5_000_000))["code"] == "lamport_too_far_ahead"
        reply = await apply(a, "mix", ["n0", "n2"], {})
        assert reply["t"] == "ack", reply
        log = edits(server, "refused")
        created = [e for e in log if e["op"]["kind"] == "node.create" and e["op"]["actor"] == "latitude"]
        assert len(created) == 1 and created[0]["op"]["id"]["lamport"] < 1_000_000
        # 8: the same op.apply again is acked with the same seq and logs nothing more.
        retried = {"lamport": reply["opId"]["lamport"], "replica": "ra"}
        again = await apply(a, "mix", ["n0", "n2"], {}, lamport=retried["lamport"])
        assert again["t"] == "ack" and again["seq"] == reply["seq"]
        assert len(edits(server, "refused")) == len(log)
        await still_serving(server, "refused")
        await a.close()

    run(scenario())


def test_finding_9_degenerate_axes_are_refused(server):
    async def scenario():
        a = await Client.connect(server.url("axes"), "ra")
        await a.join()
        await nodes(a, 1)
        bad = [
            (unit(1), {"negativeMean": 0, "positiveMean": 1e-44}),
            (unit(1), {"negativeMean": -3e38, "positiveMean": 3e38}),
            (unit(1), {"negativeMean": 0.2, "positiveMean": 0.2}),
            ([0.0] * 384, {"negativeMean": -0.5, "positiveMean": 0.5}),
        ]
        for index, (direction, calibration) in enumerate(bad):
            await a.op("axis.create", {"axis": f"bad{index}", "name": "bad", "provider": "examples",
                                       "poles": {"negative": "low", "positive": "high"},
                                       "direction": fp16_base64(direction), "calibration": calibration,
                                       "params": {}})
            reply = await a.expect_any({"ack", "nack"})
            assert reply["t"] == "nack" and reply["code"] == "invalid_axis", reply
        # A good explicit direction is accepted (and normalised), and the document still renders.
        await a.op("axis.create", {"axis": "good", "name": "good", "provider": "examples",
                                   "poles": {"negative": "low", "positive": "high"},
                                   "direction": fp16_base64([v * 3 for v in unit(1)]),
                                   "calibration": {"negativeMean": -0.2, "positiveMean": 0.2}, "params": {}})
        assert (await a.expect_any({"ack", "nack"}))["t"] == "ack"
        status, body = http(server, "GET", "/v1/docs/axes/projections")
        assert status == 200 and "good" in json.loads(body)["nodes"][0]["coords"]
        late = await Client.connect(server.url("axes"), "rl")
        _, frames = await late.join()
        assert frames[0]["t"] == "snapshot"
        await a.close()
        await late.close()

    run(scenario())


def test_finding_10_a_long_encode_does_not_stall_the_transport(server):
    texts = [("word%d " % i) * 220 for i in range(256)]  # under 2,000 characters each
    done = {}

    def encode():
        done["status"] = http(server, "POST", "/v1/encode", {"texts": texts})[0]
        done["at"] = time.monotonic()

    worker = threading.Thread(target=encode)
    worker.start()
    time.sleep(0.5)
    assert "at" not in done, "the encode finished too fast to tell anything"
    assert http(server, "GET", "/healthz")[0] == 200
    run(still_serving(server))
    answered = time.monotonic()
    worker.join(timeout=600)
    assert done["status"] == 200 and answered < done["at"]


def test_finding_11_a_document_over_the_send_queue_limit_can_be_joined(tmp_path):
    seed = Server(tmp_path / "seed.sqlite").start()

    async def one_node():
        a = await Client.connect(seed.url("big"), "ra")
        await a.join()
        await a.op("node.create", typed("seed", "A seed sentence."))
        await a.expect("ack")
        await a.close()

    run(one_node())
    seed.stop()
    export = subprocess.run([BINARY, "export", "--db", str(tmp_path / "seed.sqlite"), "--doc", "big"],
                            capture_output=True, text=True, check=True, cwd=ROOT).stdout.splitlines()
    header, first = export[0], json.loads(export[1])
    lines = [header]
    text = "A long sentence about the sea and the sky. " * 44  # ~1,900 characters
    for index in range(5000):
        entry = json.loads(json.dumps(first))
        entry["seq"] = index + 1
        entry["op"]["id"]["lamport"] = index + 1
        entry["op"]["payload"]["node"] = f"n{index}"
        entry["op"]["payload"]["text"] = text
        lines.append(json.dumps(entry))
    dump = tmp_path / "big.ndjson"
    dump.write_text("\n".join(lines) + "\n")
    subprocess.run([BINARY, "import", "--db", str(tmp_path / "big.sqlite"), str(dump)], check=True, cwd=ROOT,
                   capture_output=True)
    server = Server(tmp_path / "big.sqlite").start()
    try:
        async def join():
            a = await Client.connect(server.url("big"), "rj")
            _, frames = await a.join()
            snapshot = frames[0]
            assert snapshot["t"] == "snapshot" and len(snapshot["state"]["nodes"]) == 5000
            assert len(json.dumps(snapshot)) > 8 << 20
            await a.close()

        run(join())
        run(still_serving(server, "big"))
    finally:
        server.stop()


def test_finding_12_small_things(server):
    async def scenario():
        a = await Client.connect(server.url("small"), "ra")
        await a.join()
        # Drag ids are limited to the schema's 128 bytes, and not relayed beyond.
        await a.ws.send(json.dumps({"t": "drag", "node": "x" * 200_000, "x": 0, "y": 0}))
        assert (await a.expect("error"))["code"] == "invalid_id"
        # The server's own identity cannot be taken.
        for hello in ({"replica": "latitude-server"}, {"actor": "latitude"}):
            ws = await websockets.connect(server.url("small"))
            await ws.send(json.dumps({"t": "hello", "protocol": 1, **hello}))
            assert json.loads(await ws.recv())["code"] == "reserved_id"
            await ws.close()
        # Binary frames are closed with 1003.
        ws = await websockets.connect(server.url("small"))
        await ws.send(b'{"t":"hello"}')
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd.code == 1003
        await a.close()

    run(scenario())
    for method in ("PUT", "DELETE", "OPTIONS", "PATCH"):
        assert http(server, method, "/v1/docs")[0] == 405
    assert raw_http(server.port, b"POST /v1/docs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"b\r\n{\"id\":\"c1\"}\r\n0\r\n\r\n").startswith(b"HTTP/1.1 411")
    smuggled = b"POST /v1/docs HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 12\r\n\r\n{\"id\":\"s1\"}"
    answer = raw_http(server.port, smuggled + b"POST /v1/docs HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n{\"id\":\"s2\"}")
    assert answer.count(b"HTTP/1.1") == 1 and answer.startswith(b"HTTP/1.1 400")
    assert http(server, "GET", "/v1/docs/s2/ops")[0] == 404
    huge = subprocess.run([BINARY, "token", "--doc", "d", "--role", "editor", "--ttl", "9223372036854775807d",
                           "--secret", SECRET], capture_output=True, text=True)
    assert huge.returncode != 0 and "--ttl" in huge.stderr
    run(still_serving(server))


def raw_http(port, request):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except socket.timeout:
            pass
        return answer


def test_finding_12_viewers_cannot_create_documents(tmp_path):
    server = Server(tmp_path / "viewer.sqlite", "--secret", SECRET).start()
    try:
        viewer_all = token("*", "viewer")
        assert http(server, "POST", "/v1/docs?token=" + viewer_all, {"id": "v1"})[0] == 403
        assert http(server, "POST", "/v1/encode?token=" + viewer_all, {"texts": ["hello"]})[0] == 403
        assert http(server, "POST", "/v1/docs?token=" + token("*", "editor"), {"id": "v2"})[0] == 201

        async def join_unknown():
            ws = await websockets.connect(server.url("never-made") + "?token=" + token("never-made", "viewer"))
            await ws.send(json.dumps({"t": "hello", "protocol": 1, "replica": "rv"}))
            assert json.loads(await ws.recv())["code"] == "unknown_document"
            await ws.close()

        run(join_unknown())
        assert http(server, "GET", "/v1/docs/never-made/ops?token=" + token("never-made", "owner"))[0] == 404
    finally:
        server.stop()


def test_finding_12_sigterm_acks_every_committed_op_before_closing(tmp_path):
    server = Server(tmp_path / "term.sqlite", "--no-decoder").start()

    async def burst():
        a = await Client.connect(server.url("term"), "ra")
        await a.join()
        sent = []
        for index in range(150):
            sent.append(await a.op("node.create", {"node": f"t{index}", "latent": fp16_base64(unit(index)),
                                                   "origin": {"kind": "typed", "parents": []}}))
        server.process.send_signal(15)
        acked = set()
        try:
            while True:
                frame = json.loads(await asyncio.wait_for(a.ws.recv(), 20))
                if frame["t"] == "ack":
                    acked.add(frame["opId"]["lamport"])
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd and closed.rcvd.code == 1001
        return acked

    acked = run(burst())
    assert server.process.wait(timeout=30) == 0
    restarted = Server(tmp_path / "term.sqlite", "--no-decoder").start()
    try:
        logged = {e["op"]["id"]["lamport"] for e in logged_ops(restarted, "term") if e["op"]["id"]["replica"] == "ra"}
        assert logged == acked, f"committed but never acked: {sorted(logged - acked)[:10]}"
    finally:
        restarted.stop()


def test_finding_10_live_axis_examples_are_bounded_by_their_text(server):
    async def scenario():
        a = await Client.connect(server.url("examples"), "ra")
        await a.join()
        long = "An example sentence that goes on and on about the weather. " * 33
        await a.op("axis.create", {"axis": "heavy", "name": "heavy", "provider": "examples",
                                   "params": {"examples": {"negative": [long] * 64, "positive": [long] * 64}}})
        reply = await a.expect_any({"ack", "nack"})
        assert reply["t"] == "nack" and reply["code"] == "too_large", reply
        await a.close()

    run(scenario())
    run(still_serving(server))


def test_decode_correction_intent_and_kernel_settings_are_checked(tmp_path):
    """Correction rounds, the intent margin and the busy effort (candidates, batch, intent round) are bounded in serve (flag or
    environment) and in the CLI; a valid setting decodes. An unknown decoder kernel is
    refused, and the BLAS kernel decodes the same text as the one the product picks; the same
    for the encoder's kernel (the same vector within 1e-5)."""
    for bad in ["9", "-1", "lots"]:
        refused = subprocess.run([BINARY, "serve", "--port", "0", "--db", str(tmp_path / "c.sqlite"),
                                  "--decode-correction", bad], capture_output=True, text=True, timeout=60)
        assert refused.returncode != 0 and "decode-correction" in refused.stderr, (bad, refused.stderr[-500:])
    for bad in ["2", "-0.1", "much"]:
        refused = subprocess.run([BINARY, "serve", "--port", "0", "--db", str(tmp_path / "c.sqlite"),
                                  "--intent-margin", bad], capture_output=True, text=True, timeout=60)
        assert refused.returncode != 0 and "intent-margin" in refused.stderr, (bad, refused.stderr[-500:])
    for bad in ["0", "65", "few"]:
        refused = subprocess.run([BINARY, "serve", "--port", "0", "--db", str(tmp_path / "c.sqlite"),
                                  "--busy-candidates", bad], capture_output=True, text=True, timeout=60)
        assert refused.returncode != 0 and "busy-candidates" in refused.stderr, (bad, refused.stderr[-500:])
    for bad in ["0", "65", "all"]:
        refused = subprocess.run([BINARY, "serve", "--port", "0", "--db", str(tmp_path / "c.sqlite")],
                                 capture_output=True, text=True, timeout=60,
                                 env={**os.environ, "LATITUDE_BUSY_BATCH": bad})
        assert refused.returncode != 0 and "busy-batch" in refused.stderr, (bad, refused.stderr[-500:])
    for bad in ["-1", "9", "some"]:
        refused = subprocess.run([BINARY, "serve", "--port", "0", "--db", str(tmp_path / "c.sqlite"),
                                  "--busy-intent-candidates", bad], capture_output=True, text=True, timeout=60)
        assert refused.returncode != 0 and "busy-intent-candidates" in refused.stderr, (bad, refused.stderr[-500:])
    refused = subprocess.run([BINARY, "serve", "--port", "0", "--db", str(tmp_path / "c.sqlite")],
                             capture_output=True, text=True, timeout=60,
                             env={**os.environ, "LATITUDE_INTENT_MARGIN": "NaN"})
    assert refused.returncode != 0 and "intent-margin" in refused.stderr, refused.stderr[-500:]
    refused = subprocess.run([BINARY, "serve", "--port", "0", "--db", str(tmp_path / "c.sqlite")],
                             capture_output=True, text=True, timeout=60,
                             env={**os.environ, "LATITUDE_DECODER_KERNEL": "fast"})
    assert refused.returncode != 0 and "LATITUDE_DECODER_KERNEL=fast" in refused.stderr, refused.stderr[-500:]
    refused = subprocess.run([BINARY, "serve", "--port", "0", "--db", str(tmp_path / "c.sqlite")],
                             capture_output=True, text=True, timeout=60,
                             env={**os.environ, "LATITUDE_DECODER_BORROW_CORE": "yes"})
    assert refused.returncode != 0 and "LATITUDE_DECODER_BORROW_CORE=yes" in refused.stderr, refused.stderr[-500:]
    refused = subprocess.run([BINARY, "serve", "--port", "0", "--db", str(tmp_path / "c.sqlite")],
                             capture_output=True, text=True, timeout=60,
                             env={**os.environ, "LATITUDE_ENCODER_KERNEL": "fast"})
    assert refused.returncode != 0 and "LATITUDE_ENCODER_KERNEL=fast" in refused.stderr, refused.stderr[-500:]
    vectors = [subprocess.run([BINARY, "encode", "My flight was delayed for six hours."], capture_output=True,
                              text=True, timeout=120, env={**os.environ, "LATITUDE_ENCODER_KERNEL": kernel})
               for kernel in ["blas", "auto"]]
    assert all(v.returncode == 0 for v in vectors), vectors[0].stderr[-500:] + vectors[1].stderr[-500:]
    blas_vector, auto_vector = (json.loads(v.stdout.strip().splitlines()[-1])["vector"] for v in vectors)
    assert max(abs(a - b) for a, b in zip(blas_vector, auto_vector)) < 1e-5
    texts = [subprocess.run([BINARY, "decode", "--text", "My flight was delayed for six hours.", "--json",
                             "--candidates", "4"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "LATITUDE_DECODER_KERNEL": kernel})
             for kernel in ["blas", "fp16-panels", "auto"]]
    assert all(t.returncode == 0 for t in texts), "".join(t.stderr[-500:] for t in texts)
    blas_text, half_text, auto_text = (json.loads(t.stdout) for t in texts)
    # fp16 panels differ from BLAS by summation order only; the default (int8 panels) rounds
    # the weights, so it may choose another text, but one about as faithful.
    assert blas_text["text"] == half_text["text"]
    assert auto_text["text"] and auto_text["fidelity"] >= blas_text["fidelity"] - 0.1, (blas_text, auto_text)
    refused = subprocess.run([BINARY, "decode", "--text", "The food was cold.", "--correct-steps", "99"],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "--correct-steps" in refused.stderr
    plain = subprocess.run([BINARY, "decode", "--text", "The food was cold.", "--json", "--candidates", "2"],
                           capture_output=True, text=True, timeout=120)
    corrected = subprocess.run([BINARY, "decode", "--text", "The food was cold.", "--json", "--candidates", "2",
                                "--correct-steps", "1"], capture_output=True, text=True, timeout=120)
    assert plain.returncode == 0 and corrected.returncode == 0, corrected.stderr[-1000:]
    # A round only adds candidates, all ranked against the original target.
    assert json.loads(corrected.stdout)["fidelity"] >= json.loads(plain.stdout)["fidelity"] - 1e-4
