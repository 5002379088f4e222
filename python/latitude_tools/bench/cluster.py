#!/usr/bin/env python3
"""`make bench-cluster`: the op log on PostgreSQL, failover, and how documents spread.

1. Appends: `latitude-bench oplog-backends` commits the same generated ops through the group
   commit on SQLite and on a private PostgreSQL server (fsync on, the default), chunks
   alternating in one process, so the ratio compares like with like.
2. Failover, `--trials` times: a cluster of three release nodes on one PostgreSQL behind nginx
   (lease 2 s). Two clients write to one document through nginx; after 60 acks its owner is
   SIGKILLed. Failover time = from the kill to the first ack a writer gets after it
   reconnected (the new owner has taken the lease and replayed the log). Every acknowledged
   op is checked in the log: at its acked seq, exactly once, seqs dense (`acked_lost` counts
   what is missing or moved; `forked` counts broken seqs). Then the killed node is
   restarted, and the next trial waits until nginx has it back in rotation (fail_timeout).
3. Spread: 300 documents are opened through nginx; `rooms_per_node` is how many each node
   owns (consistent hashing on the document id).

The last stdout line is one JSON object.
"""
import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from latitude_tools.paths import ROOT

os.environ.setdefault("LATITUDE_BIN", str(ROOT / ".build/release/latitude"))

from latitude_tools.e2e.cluster import Cluster, Postgres, Writer  # noqa: E402
from latitude_tools.e2e.harness import Client  # noqa: E402

RELEASE = ROOT / ".build/release"
NGINX_FAIL_TIMEOUT_S = 3


def log(message):
    print(message, file=sys.stderr, flush=True)


def appends(folder, ops):
    postgres = Postgres(os.path.join(folder, "pg-append"), fsync=True).start()
    try:
        result = subprocess.run([str(RELEASE / "latitude-bench"), "oplog-backends", "--postgres", postgres.url,
                                 "--ops", str(ops)], capture_output=True, text=True, check=True)
    finally:
        postgres.stop()
    for line in result.stderr.splitlines():
        log(line)
    return json.loads(result.stdout.strip().splitlines()[-1])


def check(cluster, doc, writers):
    """(acked ops missing from the log or at another seq, seq breaks) for one document."""
    log_rows = cluster.log(doc)
    forked = sum(1 for index, (seq, _, _) in enumerate(log_rows) if seq != index + 1)
    by_id = {}
    for seq, lamport, replica in log_rows:
        if (lamport, replica) in by_id:
            forked += 1
        by_id[(lamport, replica)] = seq
    lost = sum(1 for w in writers for lamport, seq in w.acked.items() if by_id.get((lamport, w.replica)) != seq)
    return lost, forked


def failover_trial(cluster, trial):
    doc = f"failover-{trial}"
    killed = {}

    def on_ack(writer):
        if not killed and len(writer.acked) >= 60:
            owner = cluster.owner(doc)
            node = cluster.node_of(owner[0])
            killed.update(index=cluster.nodes.index(node), at=time.time())
            node.kill()

    async def run():
        writers = [Writer(cluster.nginx.url(doc), f"t{trial}w{i}", 200, window=8) for i in range(2)]
        await asyncio.gather(writers[0].run(on_ack=on_ack), writers[1].run())
        return writers

    writers = asyncio.run(run())
    firsts = [t for w in writers for t in w.first_ack_after_reconnect if t >= killed["at"]]
    failover_ms = (min(firsts) - killed["at"]) * 1000
    lost, forked = check(cluster, doc, writers)
    cluster.restart(killed["index"])
    # nginx keeps a node that refused a connection out of rotation for fail_timeout (3 s,
    # deploy/cluster/nginx-cluster.conf); the next trial starts from a settled cluster.
    time.sleep(NGINX_FAIL_TIMEOUT_S + 0.5)
    log(f"  trial {trial + 1}: failover {failover_ms:.0f} ms, acked lost {lost}, forked {forked}")
    return failover_ms, lost, forked


async def open_documents(cluster, count):
    for index in range(count):
        client = await Client.connect(cluster.nginx.url(f"spread-{index}"), f"s{index}")
        await client.join()
        await client.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=200_000, help="ops appended to each store")
    parser.add_argument("--trials", type=int, default=10, help="failover trials")
    parser.add_argument("--documents", type=int, default=300, help="documents placed on the nodes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="latitude-bench-cluster-") as folder:
        log(f"appending {args.ops} ops to SQLite and to PostgreSQL")
        append = appends(folder, args.ops)
        log(f"failover: {args.trials} trials, 3 nodes, lease 2000 ms")
        with Cluster(os.path.join(folder, "cluster"), size=3, lease_ms=2000, fsync=True) as cluster:
            trials = [failover_trial(cluster, t) for t in range(args.trials)]
            log(f"placing {args.documents} documents")
            asyncio.run(open_documents(cluster, args.documents))
            rooms = [len(node.health().get("owns", [])) for node in cluster.nodes]
    failovers = sorted(t[0] for t in trials)
    result = {
        "pg_append_ops_per_s": append["pg_append_ops_per_s"],
        "sqlite_append_ops_per_s": append["sqlite_append_ops_per_s"],
        "pg_vs_sqlite": append["pg_vs_sqlite"],
        "failover_ms_p50": round(statistics.median(failovers)),
        "failover_ms_max": round(max(failovers)),
        "failover_trials": len(trials),
        "acked_lost": sum(t[1] for t in trials),
        "forked_seqs": sum(t[2] for t in trials),
        "rooms_per_node": rooms,
        "documents": args.documents,
    }
    log(f"postgres {result['pg_append_ops_per_s']} ops/s = {result['pg_vs_sqlite']} x sqlite "
        f"{result['sqlite_append_ops_per_s']} ops/s; failover p50 {result['failover_ms_p50']} ms, "
        f"max {result['failover_ms_max']} ms; acked lost {result['acked_lost']}; rooms per node {rooms}")
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
