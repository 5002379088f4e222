"""End-to-end tests against the real `latitude serve` process with real WebSocket clients."""
import asyncio
import json
import os
import pathlib
import re
import signal
import subprocess
import time

import jsonschema
import pytest
import referencing
import websockets

ROOT = pathlib.Path(__file__).resolve().parents[2]
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


@pytest.fixture(autouse=True)
def recorded_traffic_matches_the_schemas():
    """After each test, every recorded frame must validate against Schema/protocol."""
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

    def start(self, port=0):
        self.process = subprocess.Popen(
            [BINARY, "serve", "--port", str(port), "--db", str(self.db), *self.extra],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT)
        deadline = time.time() + 60
        for line in self.process.stderr:
            match = re.search(r"serving on .+:(\d+)$", line.strip())
            if match:
                self.port = int(match.group(1))
                break
            if time.time() > deadline:
                break
        assert self.port, "server did not start"
        return self

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


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path / "e2e.sqlite").start()
    yield s
    s.stop()


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
