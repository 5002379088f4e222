"""A Latitude cluster: three nodes on one PostgreSQL database behind nginx. Documents are
spread over the nodes, an owner can die or be paused, and no acknowledged op is ever lost,
duplicated or given a forked seq."""
import asyncio
import json
import subprocess
import time
import urllib.request

import websockets

from latitude_tools.e2e.cluster import Writer
from latitude_tools.e2e.harness import BINARY, Client, fp16_base64, run, unit


def owners(cluster):
    """Document id → node name, from every live node's /healthz."""
    placed = {}
    for node in cluster.nodes:
        if node.alive:
            for doc in node.health().get("owns", []):
                assert doc not in placed, f"{doc} is owned by {placed[doc]} and {node.name}"
                placed[doc] = node.name
    return placed


def check_log(cluster, doc, writers):
    """Every acknowledged op is logged exactly once, at the seq its ack said; seqs are dense."""
    log = cluster.log(doc)
    assert [seq for seq, _, _ in log] == list(range(1, len(log) + 1)), "seqs are dense: no fork, no gap"
    by_id = {}
    for seq, lamport, replica in log:
        assert (lamport, replica) not in by_id, f"op {replica}/{lamport} logged twice"
        by_id[(lamport, replica)] = seq
    for writer in writers:
        for lamport, seq in writer.acked.items():
            assert by_id.get((lamport, writer.replica)) == seq, \
                f"acked op {writer.replica}/{lamport} (seq {seq}) is not in the log at that seq"
    return log


async def converged(url, doc_log):
    """A fresh client's snapshot holds exactly the logged nodes."""
    client = await Client.connect(url, f"check-{time.monotonic_ns()}")
    await client.send({"t": "join"})
    frames = []
    while True:
        frame = await client.recv()
        if frame["t"] == "joined":
            break
        frames.append(frame)
    snapshot = next(f for f in frames if f["t"] == "snapshot")
    await client.close()
    assert snapshot["seq"] == len(doc_log)
    return {n["id"] for n in snapshot["state"]["nodes"]}


def test_documents_spread_over_the_nodes_and_each_has_one_owner(cluster):
    async def scenario():
        for index in range(24):
            client = await Client.connect(cluster.nginx.url(f"spread-{index}"), f"r{index}")
            await client.join()
            await client.op("node.create", {"node": "n", "latent": fp16_base64(unit(index)),
                                            "origin": {"kind": "typed", "parents": []}})
            assert (await client.expect_any({"ack", "nack"}))["t"] == "ack"
            await client.close()

    run(scenario())
    placed = owners(cluster)
    assert sorted(placed) == sorted(f"spread-{i}" for i in range(24))
    per_node = {node.name: list(placed.values()).count(node.name) for node in cluster.nodes}
    assert all(count > 0 for count in per_node.values()), f"consistent hashing left a node idle: {per_node}"
    # REST through nginx reaches the owner too: the state of a document, by its id.
    with urllib.request.urlopen(f"http://127.0.0.1:{cluster.nginx.port}/v1/docs/spread-3/state") as r:
        assert r.status == 200 and len(json.loads(r.read())["nodes"]) == 1
    metrics = {node.name: node.metrics() for node in cluster.nodes}
    assert sum(m["latitude_documents_owned"] for m in metrics.values()) == 24


async def touch(url, replica):
    """Opens the document through nginx (its room, and so its lease, land on a node)."""
    client = await Client.connect(url, replica)
    await client.join()
    await client.close()


def test_owner_killed_mid_write_loses_no_acknowledged_op(cluster):
    doc = "busy"
    killed = {}
    # A second document on another node: its writer must not notice the failover.
    run(touch(cluster.nginx.url(doc), "probe"))
    busy_owner = cluster.owner(doc)[0]
    other = None
    for index in range(20):
        candidate = f"bystander-{index}"
        run(touch(cluster.nginx.url(candidate), f"probe{index}"))
        if cluster.owner(candidate)[0] != busy_owner:
            other = candidate
            break
    assert other, "consistent hashing put 20 documents on one node"

    def kill_owner_after(count):
        def on_ack(writer):
            if not killed and len(writer.acked) >= count:
                owner = cluster.owner(doc)
                node = cluster.node_of(owner[0])
                killed.update(name=node.name, owner=owner, at=time.time())
                node.kill()
        return on_ack

    async def scenario():
        busy = [Writer(cluster.nginx.url(doc), f"w{i}", 250) for i in range(2)]
        calm = Writer(cluster.nginx.url(other), "calm", 120, window=4)
        await asyncio.gather(busy[0].run(on_ack=kill_owner_after(60)), busy[1].run(), calm.run())
        return busy, calm

    busy, calm = run(scenario())
    assert killed, "the owner was killed mid-write"
    assert all(w.reconnects >= 1 for w in busy), "the busy document's clients reconnected through nginx"
    log = check_log(cluster, doc, busy)
    assert len(log) == 500
    check_log(cluster, other, [calm])
    assert calm.reconnects == 0, "the document on another node was not disturbed"
    new_owner = cluster.owner(doc)
    assert new_owner[0] != killed["owner"][0] and new_owner[1] > killed["owner"][1], "a new tenure, a higher token"
    nodes = run(converged(cluster.nginx.url(doc), log))
    assert nodes == {f"w{i}-{lamport}" for i in range(2) for lamport in range(1, 251)}
    # The killed node comes back; the router prefers it again for its documents and the
    # interim owner hands them over; nothing is lost on the way back either.
    cluster.restart(next(i for i, n in enumerate(cluster.nodes) if n.name == killed["name"]))
    again = Writer(cluster.nginx.url(doc), "after", 40)
    run(again.run())
    check_log(cluster, doc, busy + [again])


def test_paused_owner_cannot_append_after_its_lease_lapsed(cluster):
    doc = "paused"
    first, second = cluster.nodes[0], cluster.nodes[1]

    async def scenario():
        a = await Client.connect(first.url(doc), "ra")
        await a.join()
        for i in range(5):
            await a.op("node.create", {"node": f"a{i}", "latent": fp16_base64(unit(i)),
                                       "origin": {"kind": "typed", "parents": []}})
            assert (await a.expect_any({"ack", "nack"}))["t"] == "ack"
        owner_before = cluster.owner(doc)
        first.pause()
        try:
            # Sent while the owner is stopped: it sits in the socket until SIGCONT.
            late = await a.op("node.create", {"node": "late", "latent": fp16_base64(unit(99)),
                                              "origin": {"kind": "typed", "parents": []}})
            await asyncio.sleep(cluster.lease_ms / 1000 + 0.5)
            b = await Client.connect(second.url(doc), "rb")
            await b.join()
            for i in range(3):
                await b.op("node.create", {"node": f"b{i}", "latent": fp16_base64(unit(50 + i)),
                                           "origin": {"kind": "typed", "parents": []}})
                assert (await b.expect_any({"ack", "nack"}))["t"] == "ack", "the second node took over"
        finally:
            first.resume()
        # The resumed node must not log the late op: it is refused (nack) or its room is
        # dropped and the connection closed with 4010 ("moved").
        outcome = None
        seen = []
        try:
            while outcome is None:
                frame = await a.recv(timeout=10)
                seen.append(frame["t"])
                if frame["t"] in ("ack", "nack") and frame["opId"] == late:
                    outcome = frame
        except websockets.ConnectionClosed as closed:
            outcome = {"closed": closed.rcvd.code if closed.rcvd else None}
        except TimeoutError:
            outcome = {"silent for 10 s after": seen}
        await b.close()
        return owner_before, late, outcome

    owner_before, late, outcome = run(scenario())
    assert outcome.get("t") != "ack", f"the paused owner acknowledged an op after losing its lease: {outcome}"
    assert outcome.get("closed") == 4010 or outcome.get("code") == "not_owner", outcome
    log = cluster.log(doc)
    assert [s for s, _, _ in log] == list(range(1, 9)), "5 ops of the first owner, 3 of the second, no fork"
    assert (late["lamport"], "ra") not in {(l, r) for _, l, r in log}
    after = cluster.owner(doc)
    assert after[1] > owner_before[1] and after[0] != owner_before[0]
    lost = first.metrics()
    assert lost["latitude_fenced_appends_total"] + lost["latitude_ownership_lost_total"] >= 1


def test_postgres_op_log_exports_and_imports_like_sqlite(cluster, tmp_path):
    async def scenario():
        writer = Writer(cluster.nginx.url("exported"), "ex", 30)
        await writer.run()

    run(scenario())
    out = tmp_path / "exported.ndjson"
    subprocess.run([BINARY, "export", "--db", cluster.postgres.url, "--doc", "exported", "-o", str(out)],
                   check=True, capture_output=True)
    lines = out.read_text().splitlines()
    assert len(lines) == 31 and json.loads(lines[0])["format"] == "latitude.ops"
    # The same file imports into SQLite and back into PostgreSQL under a new id, op for op.
    for db in (str(tmp_path / "copy.sqlite"), cluster.postgres.url):
        subprocess.run([BINARY, "import", "--db", db, str(out), "--as", "copy"], check=True, capture_output=True)
        again = tmp_path / f"again-{len(db)}.ndjson"
        subprocess.run([BINARY, "export", "--db", db, "--doc", "copy", "-o", str(again)],
                       check=True, capture_output=True)
        assert again.read_text().splitlines()[1:] == lines[1:]
    # Importing an existing id is refused, and nothing changes.
    refused = subprocess.run([BINARY, "import", "--db", cluster.postgres.url, str(out), "--as", "copy"],
                             capture_output=True, text=True)
    assert refused.returncode != 0 and "already exists" in refused.stderr
    assert len(cluster.log("copy")) == 30


def test_a_postgresql_restart_keeps_the_nodes_up_and_loses_nothing(cluster):
    """While PostgreSQL is down nothing is acknowledged (commit_failed) and, past the lease
    time, rooms close with 4010; once it is back the same clients write again, and the log
    holds every acknowledged op once, densely (the op refused meanwhile is not in it)."""
    doc = "restarted"
    first = Writer(cluster.nginx.url(doc), "before", 20)
    run(first.run())

    async def while_down():
        client = await Client.connect(cluster.nginx.url(doc), "during")
        await client.join()
        cluster.postgres.stop()
        await client.op("node.create", {"node": "refused", "latent": fp16_base64(unit(7)),
                                        "origin": {"kind": "typed", "parents": []}})
        frame = await client.expect_any({"ack", "nack"})
        try:
            while True:  # past the lease, the room closes with 4010
                await client.recv(timeout=cluster.lease_ms / 1000 * 3)
        except websockets.ConnectionClosed as closed:
            return frame, closed.rcvd.code if closed.rcvd else None

    frame, code = run(while_down())
    assert frame["t"] == "nack" and frame["code"] == "commit_failed", frame
    assert code == 4010
    assert all(node.alive for node in cluster.nodes), "a node died with PostgreSQL"
    cluster.postgres._launch()
    after = Writer(cluster.nginx.url(doc), "after", 20)
    run(after.run())
    log = check_log(cluster, doc, [first, after])
    assert len(log) == 40 and "during" not in {replica for _, _, replica in log}
