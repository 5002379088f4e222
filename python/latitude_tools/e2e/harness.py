"""The end-to-end harness: a real `latitude serve` child process, protocol clients that
record every frame (the tests check them against Schema/protocol), and small helpers."""
import asyncio
import base64
import collections
import hashlib
import hmac
import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.request

import jsonschema
import referencing
import websockets

from latitude_tools.paths import ROOT

BINARY = os.environ.get("LATITUDE_BIN", str(ROOT / ".build/debug/latitude"))
SCHEMAS = ROOT / "Schema/protocol"

# Every frame the test clients sent (through Client.send) and received, per test.
TRAFFIC = {"client": [], "server": []}


def validators():
    resources = []
    for path in SCHEMAS.glob("*.schema.json"):
        schema = json.loads(path.read_text())
        resources.append((path.name, referencing.Resource.from_contents(schema)))
    registry = referencing.Registry().with_resources(resources)
    load = lambda name: jsonschema.Draft202012Validator(
        json.loads((SCHEMAS / name).read_text()), registry=registry)
    return load("client.schema.json"), load("server.schema.json")


def recorded_traffic_checked():
    """A fixture body: clears the recorded traffic, yields to the test, then checks every
    frame it sent and received against Schema/protocol."""
    TRAFFIC["client"].clear()
    TRAFFIC["server"].clear()
    yield
    client_schema, server_schema = validators()
    for side, validator in (("client", client_schema), ("server", server_schema)):
        for frame in TRAFFIC[side]:
            errors = sorted(validator.iter_errors(frame), key=str)
            assert not errors, f"{side} frame {json.dumps(frame)[:300]} breaks the schema: {errors[0].message}"


class Server:
    """A `latitude serve` child process on a free port with its own database."""

    def __init__(self, db, *extra):
        self.db = db
        self.extra = extra
        self.process = None
        self.port = None
        # The last lines the server logged: stderr is drained for the server's whole life
        # (a full pipe would block its logging, and with it the server).
        self.log = collections.deque(maxlen=200)

    def start(self, port=0):
        self.process = subprocess.Popen(
            [BINARY, "serve", "--port", str(port), "--db", str(self.db), *self.extra],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT)
        deadline = time.time() + 60
        for line in self.process.stderr:
            self.log.append(line)
            match = re.search(r"serving on .+:(\d+)$", line.strip())
            if match:
                self.port = int(match.group(1))
                break
            if time.time() > deadline:
                break
        assert self.port, "server did not start:\n" + "".join(self.log)
        threading.Thread(target=lambda: self.log.extend(self.process.stderr), daemon=True).start()
        return self

    def log_tail(self, lines=30):
        """The server's last logged lines, for an assertion message."""
        return "".join(list(self.log)[-lines:])

    def url(self, doc):
        return f"ws://127.0.0.1:{self.port}/v1/docs/{doc}"

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.returncode if self.process else None


class Client:
    """A protocol client that records every frame it receives."""

    def __init__(self, ws, replica):
        self.ws = ws
        self.replica = replica
        self.lamport = 0
        self.received = []

    @classmethod
    async def connect(cls, url, replica, actor="tester"):
        ws = await websockets.connect(url, max_size=None)
        client = cls(ws, replica)
        await client.send({"t": "hello", "replica": replica, "actor": actor, "protocol": 1})
        welcome = await client.expect("welcome")
        assert welcome["replica"] == replica
        return client

    async def send(self, frame):
        TRAFFIC["client"].append(frame)
        await self.ws.send(json.dumps(frame))

    async def recv(self, timeout=10):
        frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
        self.received.append(frame)
        TRAFFIC["server"].append(frame)
        return frame

    async def expect(self, kind, timeout=10):
        while True:
            frame = await self.recv(timeout)
            if frame["t"] == kind:
                return frame

    async def expect_any(self, kinds, timeout=10):
        while True:
            frame = await self.recv(timeout)
            if frame["t"] in kinds:
                return frame

    async def join(self, since=None):
        frame = {"t": "join"}
        if since is not None:
            frame["sinceSeq"] = since
        await self.send(frame)
        collected = []
        while True:
            message = await self.recv()
            if message["t"] == "joined":
                return message, collected
            collected.append(message)

    def next_id(self, floor=0):
        self.lamport = max(self.lamport, floor) + 1
        return {"lamport": self.lamport, "replica": self.replica}

    async def op(self, kind, payload, floor=0):
        op_id = self.next_id(floor)
        await self.send({"t": "op", "op": {"id": op_id, "kind": kind, "payload": payload}})
        return op_id

    async def close(self):
        await self.ws.close()


def typed(node, text):
    return {"node": node, "text": text, "origin": {"kind": "typed", "parents": []}}


def run(coroutine):
    return asyncio.run(coroutine)


def fp16_base64(values):
    return base64.b64encode(struct.pack(f"<{len(values)}e", *values)).decode()


def unit(seed, dim=384):
    rng = random.Random(seed)
    v = [rng.gauss(0, 1) for _ in range(dim)]
    n = sum(x * x for x in v) ** 0.5
    return [x / n for x in v]


def http(server, method, path, body=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{path}", method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


SECRET = "a-test-secret-of-sufficient-length"


def raw_upgrade_status(port, path):
    """The HTTP status line's code for a WebSocket upgrade request."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                      "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").encode())
        return int(sock.recv(64).decode().split()[1])


def python_token(claims, secret=SECRET):
    """Mints a token independently of the Swift code, to pin the format."""
    b64 = lambda data: base64.urlsafe_b64encode(data).decode().rstrip("=")
    body = b64(json.dumps(claims, sort_keys=True, separators=(",", ":")).encode())
    return body + "." + b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())


def token(doc, role, ttl="1h", sub=None):
    args = [BINARY, "token", "--doc", doc, "--role", role, "--ttl", ttl, "--secret", SECRET]
    if sub:
        args += ["--sub", sub]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()


async def decoded_for(client, move_id, timeout=60):
    """Waits for the node.decoded that answers `move_id`; returns its frame."""
    while True:
        frame = await client.expect("op", timeout)
        op = frame["op"]
        if op["kind"] == "node.decoded" and op["payload"]["answers"] == move_id:
            return frame
