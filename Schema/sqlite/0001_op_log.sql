-- Latitude op log, version 1.
-- One row per committed op; `seq` is dense per document and assigned at commit.

CREATE TABLE documents (
  doc_key     INTEGER PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  title       TEXT NOT NULL,
  encoder     TEXT NOT NULL,
  decoder     TEXT NOT NULL,
  created_at  INTEGER NOT NULL,           -- unix seconds
  head_seq    INTEGER NOT NULL DEFAULT 0, -- last committed seq
  max_lamport INTEGER NOT NULL DEFAULT 0
);

-- op_key = doc_key << 40 | seq, so the rowid B-tree itself orders each document's ops by
-- seq: range reads need no second index, and appends touch one index fewer.
CREATE TABLE ops (
  op_key   INTEGER PRIMARY KEY,
  doc_key  INTEGER NOT NULL REFERENCES documents(doc_key),
  seq      INTEGER NOT NULL,
  lamport  INTEGER NOT NULL,
  replica  TEXT NOT NULL,
  actor    TEXT NOT NULL,
  kind     TEXT NOT NULL,
  payload  BLOB NOT NULL                  -- binary payload, latents as fp16 (see OpCodec)
);
CREATE UNIQUE INDEX ops_by_id ON ops(doc_key, lamport, replica);

-- The largest lamport committed per replica. Replica lamports strictly increase, so an op
-- above its replica's clock cannot be a duplicate and needs no lookup before insert.
CREATE TABLE replica_clocks (
  doc_key INTEGER NOT NULL REFERENCES documents(doc_key),
  replica TEXT NOT NULL,
  lamport INTEGER NOT NULL,
  PRIMARY KEY (doc_key, replica)
) WITHOUT ROWID;

-- Folded state at a seq (see SnapshotCodec), so seeking replays only the tail.
CREATE TABLE snapshots (
  doc_key INTEGER NOT NULL REFERENCES documents(doc_key),
  seq     INTEGER NOT NULL,
  state   BLOB NOT NULL,
  PRIMARY KEY (doc_key, seq)
);
