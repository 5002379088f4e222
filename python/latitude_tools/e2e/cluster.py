"""A Latitude cluster on loopback for the cluster tests and `make bench-cluster`: a private
PostgreSQL server (Debian's `postgresql`), three `latitude serve` nodes sharing it, and nginx
(Debian's `nginx-light`) in front with deploy/cluster/nginx-cluster.conf. Everything runs in
a temporary folder and stops with the cluster; as root, PostgreSQL runs as user `postgres`
(initdb refuses root) and nginx's workers as `nobody`."""
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

from latitude_tools.e2e.harness import Server
from latitude_tools.paths import ROOT

NGINX_SITE = ROOT / "deploy/cluster/nginx-cluster.conf"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=30, process=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


def postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run `make cluster-deps`")
    return os.path.dirname(found[-1])


class Postgres:
    """A private PostgreSQL server in `folder`, on a free loopback port."""

    def __init__(self, folder, fsync=True):
        self.folder = str(folder)
        self.data = os.path.join(self.folder, "pgdata")
        self.port = free_port()
        self.fsync = fsync
        self.process = None
        self.as_postgres = os.geteuid() == 0

    def _command(self, args):
        return ["runuser", "-u", "postgres", "--", *args] if self.as_postgres else args

    def start(self):
        os.makedirs(self.folder, exist_ok=True)
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            os.chmod(self.folder, 0o755)
            parent = os.path.dirname(self.folder)
            while parent not in ("/", ""):
                os.chmod(parent, os.stat(parent).st_mode | 0o005)
                parent = os.path.dirname(parent)
        subprocess.run(self._command([f"{postgres_bin()}/initdb", "-D", self.data, "-A", "trust",
                                      "-U", "latitude", "--no-sync", "-E", "UTF8"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._launch()
        subprocess.run(["psql", f"postgres://latitude@127.0.0.1:{self.port}/postgres", "-qc",
                        "CREATE DATABASE latitude"], check=True, capture_output=True)
        return self

    def _launch(self):
        """Starts the postmaster on the data folder and waits until it accepts connections."""
        tools = postgres_bin()
        options = ["-c", "listen_addresses=127.0.0.1", "-p", str(self.port), "-k", self.folder,
                   "-c", "max_connections=200", "-c", "shared_buffers=256MB",
                   "-c", f"fsync={'on' if self.fsync else 'off'}"]
        self.log = open(os.path.join(self.folder, "postgres.log"), "a")
        self.process = subprocess.Popen(self._command([f"{tools}/postgres", "-D", self.data, *options]),
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            ready = subprocess.run([f"{tools}/pg_isready", "-h", "127.0.0.1", "-p", str(self.port)],
                                   capture_output=True)
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("PostgreSQL did not start in 30 s")

    def restart(self, down_s=0):
        """Stops the server (fast shutdown: every session is cut), waits `down_s`, starts it again."""
        self.stop()
        time.sleep(down_s)
        self._launch()

    @property
    def url(self):
        return f"postgres://latitude@127.0.0.1:{self.port}/latitude"

    def sql(self, query):
        """Runs `query` with psql; returns its rows as lists of strings (tab-separated)."""
        out = subprocess.run(["psql", self.url, "-qAtF", "\t", "-c", query],
                             check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def stop(self):
        if self.process and self.process.poll() is None:
            # SIGINT is PostgreSQL's fast shutdown; sent to the postmaster itself (its pid
            # file's first line), since runuser does not pass signals on.
            try:
                with open(os.path.join(self.data, "postmaster.pid")) as f:
                    os.kill(int(f.readline()), signal.SIGINT)
            except (OSError, ValueError):
                self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if getattr(self, "log", None):
            self.log.close()


class Nginx:
    """nginx with deploy/cluster/nginx-cluster.conf, its node list and listen port rewritten."""

    def __init__(self, folder, node_ports):
        self.folder = str(folder)
        self.port = free_port()
        self.node_ports = node_ports
        self.process = None

    def site(self):
        text = NGINX_SITE.read_text()
        servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;\n" for p in self.node_ports)
        text, count = re.subn(r"(?m)^    server 127\.0\.0\.1:\d+[^\n]*\n(?:    server 127\.0\.0\.1:\d+[^\n]*\n)*",
                              servers, text, count=1)
        assert count == 1, "nginx-cluster.conf has no upstream server lines to rewrite"
        text, count = re.subn(r"(?m)^    listen \d+;", f"    listen 127.0.0.1:{self.port};", text, count=1)
        assert count == 1, "nginx-cluster.conf has no listen line to rewrite"
        return text

    def start(self):
        os.makedirs(self.folder, exist_ok=True)
        site = os.path.join(self.folder, "latitude-cluster.conf")
        with open(site, "w") as f:
            f.write(self.site())
        conf = os.path.join(self.folder, "nginx.conf")
        temp = os.path.join(self.folder, "temp")
        os.makedirs(temp, exist_ok=True)
        with open(conf, "w") as f:
            f.write(f"""worker_processes 1;
pid {self.folder}/nginx.pid;
error_log {self.folder}/error.log warn;
{"user nobody nogroup;" if os.geteuid() == 0 else ""}
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
""")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        subprocess.run([nginx, "-t", "-q", "-p", self.folder, "-c", conf], check=True, capture_output=True)
        self.process = subprocess.Popen([nginx, "-p", self.folder, "-c", conf, "-g", "daemon off;"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_port(self.port, process=self.process)
        return self

    def url(self, doc):
        return f"ws://127.0.0.1:{self.port}/v1/docs/{doc}"

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Node(Server):
    """One `latitude serve` node of the cluster, on a fixed port (nginx names it)."""

    def __init__(self, name, url, port, lease_ms):
        super().__init__(url, "--no-encoder", "--no-decoder", "--features", "off", "--bank", "off",
                         "--node-name", name, "--lease-ms", str(lease_ms))
        self.name = name
        self.fixed_port = port

    def start(self):
        # Server.start keeps draining the node's log (its last lines stay in `self.log`).
        return super().start(port=self.fixed_port)

    def health(self):
        import json
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as r:
            return json.loads(r.read())

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5) as r:
            text = r.read().decode()
        return {line.split()[0]: float(line.split()[1]) for line in text.splitlines()
                if line and not line.startswith("#")}

    def pause(self, timeout=5.0):
        """SIGSTOP, then waits until every thread of the node is stopped: a signal takes
        effect asynchronously, and a frame sent before it does could still be handled."""
        os.kill(self.process.pid, signal.SIGSTOP)
        deadline = time.monotonic() + timeout
        tasks = f"/proc/{self.process.pid}/task"
        while True:
            states = []
            for task in os.listdir(tasks):
                try:
                    with open(os.path.join(tasks, task, "stat")) as stat:
                        # The state follows the parenthesised command name.
                        states.append(stat.read().rsplit(")", 1)[1].split()[0])
                except FileNotFoundError:
                    continue
            if states and all(state in ("T", "t") for state in states):
                return
            assert time.monotonic() < deadline, f"node {self.name} did not stop: {states}"
            time.sleep(0.005)

    def resume(self):
        os.kill(self.process.pid, signal.SIGCONT)

    @property
    def alive(self):
        return self.process is not None and self.process.poll() is None


class Cluster:
    """PostgreSQL, `size` nodes and nginx; a context manager that stops them all."""

    def __init__(self, folder, size=3, lease_ms=2000, fsync=True):
        self.folder = str(folder)
        self.postgres = Postgres(os.path.join(self.folder, "pg"), fsync=fsync)
        self.lease_ms = lease_ms
        self.ports = [free_port() for _ in range(size)]
        self.nodes = []
        self.nginx = None

    def __enter__(self):
        try:
            self.postgres.start()
            self.nodes = [Node(f"n{i + 1}", self.postgres.url, port, self.lease_ms).start()
                          for i, port in enumerate(self.ports)]
            self.nginx = Nginx(os.path.join(self.folder, "nginx"), self.ports).start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if self.nginx:
            self.nginx.stop()
        # Shown by pytest with a failing test's captured output: what each node last logged.
        for node in self.nodes:
            if node.process:
                print(f"--- last lines logged by node {node.name} ---\n{node.log_tail(60)}")
        for node in self.nodes:
            if node.process and node.process.poll() is None:
                try:
                    os.kill(node.process.pid, signal.SIGCONT)
                except ProcessLookupError:
                    pass
            node.stop()
        self.postgres.stop()

    def restart(self, index):
        """Starts node `index` again (same name and port) after it was killed."""
        node = self.nodes[index]
        self.nodes[index] = Node(node.name, self.postgres.url, node.fixed_port, self.lease_ms).start()
        return self.nodes[index]

    def owner(self, doc):
        """(owner incarnation, token, expired?) of the document's lease, or None."""
        rows = self.postgres.sql(
            f"SELECT owner, token, expires_at <= clock_timestamp() FROM leases WHERE doc_id = '{doc}'")
        return (rows[0][0], int(rows[0][1]), rows[0][2] == "t") if rows else None

    def node_of(self, owner):
        """The node whose incarnation is `owner`."""
        for node in self.nodes:
            if node.alive and node.health().get("node") == owner:
                return node
        return None

    def log(self, doc):
        """(seq, lamport, replica) of every logged op of `doc`, in seq order."""
        rows = self.postgres.sql(
            "SELECT o.seq, o.lamport, o.replica FROM ops o JOIN documents d USING (doc_key) "
            f"WHERE d.id = '{doc}' ORDER BY o.seq")
        return [(int(s), int(l), r) for s, l, r in rows]


class Writer:
    """Creates `count` nodes in one document, as a client of the cluster would: it keeps
    up to `window` ops in flight, and whenever its connection closes (a node died, or
    answered "moved") it reconnects, resyncs by seq and sends again every op not yet
    acknowledged (ops are idempotent by id, so a re-sent op is logged once). `acked` maps
    each op's lamport to the seq its ack reported."""

    def __init__(self, url, replica, count, window=16, deadline_s=120):
        self.url = url
        self.replica = replica
        self.count = count
        self.window = window
        self.deadline = time.time() + deadline_s
        self.acked = {}
        self.nacks = []
        self.close_codes = []
        self.reconnects = 0
        self.last_seq = None
        self.first_ack_after_reconnect = []  # wall time of the first ack after each reconnect

    def frame(self, lamport):
        from latitude_tools.e2e.harness import fp16_base64, unit
        return {"t": "op", "op": {"id": {"lamport": lamport, "replica": self.replica}, "kind": "node.create",
                                  "payload": {"node": f"{self.replica}-{lamport}",
                                              "latent": fp16_base64(unit(lamport)),
                                              "origin": {"kind": "typed", "parents": []}}}}

    async def connect(self):
        import websockets
        from latitude_tools.e2e.harness import Client
        while True:
            if time.time() > self.deadline:
                raise TimeoutError(f"{self.replica}: no node would take the document")
            try:
                client = await Client.connect(self.url, self.replica, "writer")
                frame = {"t": "join"}
                if self.last_seq is not None:
                    frame["sinceSeq"] = self.last_seq
                await client.send(frame)
                while True:
                    message = await client.recv()
                    if message["t"] == "joined":
                        self.last_seq = max(self.last_seq or 0, message["head"])
                        return client
                    if message["t"] == "error" and message.get("code") == "moved":
                        raise ConnectionError("moved")
            except (OSError, ConnectionError, websockets.ConnectionClosed, websockets.InvalidStatus,
                    websockets.InvalidHandshake, TimeoutError) as error:
                code = getattr(getattr(error, "rcvd", None), "code", None)
                if code:
                    self.close_codes.append(code)
                import asyncio
                await asyncio.sleep(0.1)

    async def run(self, on_ack=None):
        import asyncio
        import websockets
        next_lamport = 1
        pending = set()
        reconnected_at = None
        client = await self.connect()
        while len(self.acked) < self.count:
            try:
                for lamport in sorted(pending):
                    await client.send(self.frame(lamport))
                while True:
                    while len(pending) < self.window and next_lamport <= self.count:
                        pending.add(next_lamport)
                        await client.send(self.frame(next_lamport))
                        next_lamport += 1
                    if len(self.acked) >= self.count:
                        break
                    frame = await client.recv(timeout=30)
                    if frame["t"] == "ack" and frame["opId"]["replica"] == self.replica:
                        lamport = frame["opId"]["lamport"]
                        if reconnected_at is not None:
                            self.first_ack_after_reconnect.append(time.time())
                            reconnected_at = None
                        assert self.acked.get(lamport, frame["seq"]) == frame["seq"], "an op acked at two seqs"
                        self.acked[lamport] = frame["seq"]
                        pending.discard(lamport)
                        if on_ack:
                            on_ack(self)
                    elif frame["t"] == "nack":
                        self.nacks.append(frame)
                        # Refused by a node that lost the document: re-sent after reconnecting.
                        if frame.get("code") not in ("not_owner", "commit_failed", "store"):
                            raise AssertionError(f"unexpected nack {frame}")
                    if "seq" in frame and frame["t"] in ("op", "ack"):
                        self.last_seq = max(self.last_seq or 0, frame["seq"])
            except (websockets.ConnectionClosed, asyncio.TimeoutError, OSError) as error:
                code = getattr(getattr(error, "rcvd", None), "code", None)
                if code:
                    self.close_codes.append(code)
                self.reconnects += 1
                reconnected_at = time.time()
                client = await self.connect()
        await client.close()
        return self
