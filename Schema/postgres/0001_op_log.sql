-- Latitude op log on PostgreSQL, version 1: the same tables as Schema/sqlite/ (0001 and 0002),
-- plus document leases for a cluster of Latitude nodes sharing this database.
-- One row per committed op; `seq` is dense per document and assigned by the owner at commit.

CREATE TABLE documents (
  doc_key     BIGSERIAL PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  title       TEXT NOT NULL,
  encoder     TEXT NOT NULL,
  decoder     TEXT NOT NULL,
  created_at  BIGINT NOT NULL,           -- unix seconds
  head_seq    BIGINT NOT NULL DEFAULT 0, -- last committed seq
  max_lamport BIGINT NOT NULL DEFAULT 0
);

-- The primary key orders each document's ops by seq and makes a forked seq impossible:
-- two writers can never both commit seq N of one document. No foreign key to documents:
-- its per-row trigger would cost more than the rest of an insert, and the writer only ever
-- uses a doc_key it read from documents in the same transaction.
CREATE TABLE ops (
  doc_key  BIGINT NOT NULL,
  seq      BIGINT NOT NULL,
  lamport  BIGINT NOT NULL,
  replica  TEXT NOT NULL,
  actor    TEXT NOT NULL,
  kind     TEXT NOT NULL,
  payload  BYTEA NOT NULL,               -- binary payload, latents as fp16 (see OpCodec)
  at_ms    BIGINT,                       -- commit time, unix milliseconds
  PRIMARY KEY (doc_key, seq)
);
CREATE UNIQUE INDEX ops_by_id ON ops(doc_key, lamport, replica);
-- fp16 latents do not compress: store payloads out of line uncompressed rather than let
-- TOAST try and fail on every large row.
ALTER TABLE ops ALTER COLUMN payload SET STORAGE EXTERNAL;

-- The largest lamport committed per replica (see the SQLite schema).
CREATE TABLE replica_clocks (
  doc_key BIGINT NOT NULL REFERENCES documents(doc_key),
  replica TEXT NOT NULL,
  lamport BIGINT NOT NULL,
  PRIMARY KEY (doc_key, replica)
);

-- Folded state at a seq (see SnapshotCodec), so seeking replays only the tail.
CREATE TABLE snapshots (
  doc_key BIGINT NOT NULL REFERENCES documents(doc_key),
  seq     BIGINT NOT NULL,
  state   BYTEA NOT NULL,
  PRIMARY KEY (doc_key, seq)
);

-- One owner per document. `owner` names a node's incarnation (name#random, new at each
-- start); `token` grows by one at every change of owner and is the fencing token: every
-- append transaction locks this row and checks owner, token and expiry, so a node that
-- lost the lease (paused, partitioned) cannot append. Times are the database's clock only.
-- `wanted_by` names a node that the router sends this document's clients to and that asks
-- for it back; the owner hands it over at its next renewal.
CREATE TABLE leases (
  doc_id     TEXT PRIMARY KEY,
  owner      TEXT NOT NULL,
  token      BIGINT NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  wanted_by  TEXT
);
CREATE INDEX leases_by_owner ON leases(owner);
