#!/usr/bin/env python3
"""`make bench-settle`: settle latency of the re-decode pipeline with real WebSocket clients
against `latitude serve` (release build, fresh database).

A drag streams `drag` positions at 30/s for 0.5 s, commits a node.move every 250 ms and a
final one on release. Settle latency is the time from sending the final node.move to the
moment every client in the room has the node.decoded that answers it; first-text latency
is the time until every client has some readable text for it (a provisional decode.stage
frame, or the node.decoded itself).
- 1 dragger and 10 concurrent draggers (each on its own node): settle p50/p99;
- every scenario: the preview texts (drag positions decoded while the drag goes on) an
  observer saw per drag, `previews_per_drag_N`;
- 50 concurrent draggers: the p99 time for a drag position to reach an observer while
  decodes are saturated (as these Python clients see it; bench-settle.sh adds the native
  generator's figure for committed moves), the share of drags whose final move got its node.decoded, and
  the largest decode queue (from /metrics).
The reference, measured in the same run, is the server's own mean decode time
(latitude_decode_seconds_sum / decodes); `settle_vs_decode_p50_1` is their ratio.
The last stdout line is one JSON object.
"""
import argparse, asyncio, json, os, re, subprocess, sys, tempfile, threading, time, urllib.request

import websockets

from latitude_tools.paths import ROOT


def log(message):
    print(message, file=sys.stderr, flush=True)


class Peer:
    def __init__(self, ws, replica):
        self.ws, self.replica, self.lamport = ws, replica, 1000
        self.decoded = {}   # answered op key -> arrival time
        self.fidelity = {}  # answered op key -> logged fidelity
        self.first_text = {}  # answered op key -> first readable text's arrival
        self.drags = []     # (sent_at echoed, arrival)
        self.previews = 0   # preview frames (drag-position texts) received
        self.acks = {}
        self.task = None

    async def pump(self):
        async for raw in self.ws:
            now = time.perf_counter()
            frame = json.loads(raw)
            kind = frame.get("t")
            if kind == "op" and frame["op"]["kind"] == "node.decoded":
                answers = frame["op"]["payload"]["answers"]
                key = (answers["lamport"], answers["replica"])
                self.decoded[key] = now
                self.fidelity[key] = frame["op"]["payload"]["fidelity"]
                self.first_text.setdefault(key, now)
            elif kind == "decode.stage":
                answers = frame["answers"]
                self.first_text.setdefault((answers["lamport"], answers["replica"]), now)
            elif kind == "drag":
                self.drags.append((frame["y"], now))
            elif kind == "preview":
                self.previews += 1
            elif kind == "ack":
                self.acks[(frame["opId"]["lamport"], frame["opId"]["replica"])] = now

    async def send(self, frame):
        await self.ws.send(json.dumps(frame))

    async def op(self, kind, payload):
        self.lamport += 1
        await self.send({"t": "op", "op": {"id": {"lamport": self.lamport, "replica": self.replica},
                                           "kind": kind, "payload": payload}})
        return (self.lamport, self.replica)


async def connect(url, replica):
    ws = await websockets.connect(url, max_size=None)
    peer = Peer(ws, replica)
    await peer.send({"t": "hello", "replica": replica, "actor": replica, "protocol": 1})
    while json.loads(await ws.recv())["t"] != "welcome":
        pass
    await peer.send({"t": "join"})
    while json.loads(await ws.recv())["t"] != "joined":
        pass
    peer.task = asyncio.create_task(peer.pump())
    return peer


async def wait_for(condition, timeout, give_up=lambda: False):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if condition():
            return True
        if give_up():
            return False
        await asyncio.sleep(0.005)
    return False


async def drag(peer, node, start_x, clock_base):
    """One drag: 15 positions at 30/s, a move every 250 ms, the final move on release."""
    x = start_x
    for step in range(15):
        x = round(start_x + (step + 1) * 0.2, 4)
        # y is unbound in the view; it carries the send time so the relay latency can be read.
        await peer.send({"t": "drag", "node": node, "x": x, "y": round(time.perf_counter() - clock_base, 6)})
        if step in (7,):
            await peer.op("node.move", {"node": node, "coordinates": [{"axis": "sentiment", "value": x}]})
        await asyncio.sleep(1 / 30)
    final = await peer.op("node.move", {"node": node, "coordinates": [{"axis": "sentiment", "value": x}]})
    return final, time.perf_counter()


def metric(port, name):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    values = [float(line.split()[-1]) for line in text.splitlines()
              if line.startswith(name + " ") or line.startswith(name + "{")]
    return values


def percentile(values, p):
    values = sorted(values)
    return values[max(0, min(len(values) - 1, int(len(values) * p + 0.999999) - 1))] if values else float("nan")


async def scenario(url, port, draggers, rounds, settle_timeout):
    observer = await connect(url("room%d" % draggers), "observer")
    peers = [await connect(url("room%d" % draggers), f"dragger{i}") for i in range(draggers)]
    await peers[0].op("axis.create", {"axis": "sentiment", "provider": "pack", "params": {"axis": "sentiment"}})
    await asyncio.sleep(0.3)
    await peers[0].op("view.bind", {"x": "sentiment"})
    for i, peer in enumerate(peers):
        await peer.op("node.create", {"node": f"n{i}", "text": f"The meal at the little cafe was fine, number {i}.",
                                      "origin": {"kind": "typed", "parents": []}})
    await asyncio.sleep(1.0)
    everyone = [observer] + peers
    base = time.perf_counter()
    settles, firsts, fidelities, lost = [], [], [], 0
    for round_index in range(rounds):
        # Every drag ends somewhere new, so no final decode is served from the cache.
        results = await asyncio.gather(*[drag(p, f"n{i}", -1.0 + 0.137 * round_index + 0.011 * i, base)
                                         for i, p in enumerate(peers)])
        for final, sent in results:
            # A peer the server closed (a slow consumer, when the machine cannot keep up)
            # will never see the text: counted lost at once rather than waited for.
            ok = await wait_for(lambda: all(final in p.decoded for p in everyone), settle_timeout,
                                give_up=lambda: any(p.task.done() for p in everyone))
            if ok:
                settles.append((max(p.decoded[final] for p in everyone) - sent) * 1000)
                firsts.append((max(p.first_text[final] for p in everyone) - sent) * 1000)
                fidelities.append(observer.fidelity[final])
            else:
                lost += 1
    # Drag positions carry their send time (x), so arrival − send is the relay latency.
    relay = [(arrival - base - sent_at) * 1000 for sent_at, arrival in observer.drags]
    closed = sum(1 for p in everyone if p.task.done())
    if closed:
        log(f"  {closed} of {len(everyone)} connections were closed by the server (see its log)")
    for p in everyone:
        p.task.cancel()
        await p.ws.close()
    return settles, firsts, fidelities, lost, relay, observer.previews


async def main_async(args):
    build = os.environ.get("LATITUDE_BIN", os.path.join(ROOT, ".build/release/latitude"))
    db = tempfile.mkdtemp(prefix="settle-")
    server = subprocess.Popen([build, "serve", "--port", "0", "--db", os.path.join(db, "s.sqlite"),
                               "--frames-per-second", "1000", "--frame-burst", "2000", *args.serve_arg],
                              stderr=subprocess.PIPE, text=True, cwd=ROOT)
    port = None
    for line in server.stderr:
        match = re.search(r"serving on [^:]+:(\d+)", line)
        if match:
            port = int(match.group(1))
            break
    # Keep draining the server's log so it never blocks on a full pipe (into --server-log).
    sink = open(args.server_log, "a") if args.server_log else None

    def drain():
        for line in server.stderr:
            if sink:
                sink.write(line)
                sink.flush()
    threading.Thread(target=drain, daemon=True).start()
    url = lambda doc: f"ws://127.0.0.1:{port}/v1/docs/{doc}"
    try:
        results = {}
        for draggers, rounds in ((1, args.rounds_1), (10, args.rounds_10), (50, args.rounds_50)):
            if rounds == 0:
                log(f"{draggers} dragger(s): no rounds asked, skipped")
                continue
            log(f"{draggers} dragger(s), {rounds} drags each...")
            settles, firsts, fidelities, lost, relay, previews = await scenario(
                url, port, draggers, rounds, args.settle_timeout)
            total = draggers * rounds
            # Drag-position texts an observer saw while the drags went on, per drag.
            results[f"previews_per_drag_{draggers}"] = previews / total
            if draggers in (1, 10):
                results[f"settle_p50_ms_{draggers}"] = percentile(settles, 0.5)
                results[f"settle_p99_ms_{draggers}"] = percentile(settles, 0.99)
                results[f"first_text_p50_ms_{draggers}"] = percentile(firsts, 0.5)
                results[f"final_fidelity_mean_{draggers}"] = (
                    sum(fidelities) / len(fidelities) if fidelities else float("nan"))
            else:
                results["drag_to_observer_p99_ms_busy_python"] = percentile(relay, 0.99)
                results["final_decoded_ratio_50"] = (total - lost) / total
                results["settle_p50_ms_50"] = percentile(settles, 0.5)
            log(f"  first text p50 {percentile(firsts, 0.5):.0f} ms, "
                f"settle p50 {percentile(settles, 0.5):.0f} ms, p99 {percentile(settles, 0.99):.0f} ms, "
                f"lost {lost}/{total}, drag relay p99 {percentile(relay, 0.99):.1f} ms, "
                f"{previews / total:.2f} preview texts per drag")
        results["queue_max_50"] = max(metric(port, "latitude_decode_queue_max") or [0])
        decodes = metric(port, "latitude_decodes_total")
        seconds = (metric(port, "latitude_decode_seconds_sum") or [0])[0]
        count = decodes[0] if decodes else 0
        results["reference_decode_ms_mean"] = 1000 * seconds / max(count, 1)
        if "settle_p50_ms_1" in results:
            results["settle_vs_decode_p50_1"] = results["settle_p50_ms_1"] / max(results["reference_decode_ms_mean"], 1e-9)
        print(json.dumps({k: round(v, 3) for k, v in results.items()}))
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds-1", type=int, default=20)
    parser.add_argument("--rounds-10", type=int, default=5)
    parser.add_argument("--rounds-50", type=int, default=3)
    parser.add_argument("--settle-timeout", type=float, default=120)
    parser.add_argument("--server-log", help="append the server's log to this file")
    parser.add_argument("--serve-arg", action="append", default=[],
                        help="an extra argument for latitude serve (repeatable), e.g. --serve-arg=--decode-enough=off")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
