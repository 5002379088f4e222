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
CREATE UNIQUE INDEX ops_by_seq ON ops(doc_key, seq);
CREATE UNIQUE INDEX ops_by_id ON ops(doc_key, lamport, replica);

-- Folded state at a seq (see SnapshotCodec), so seeking replays only the tail.
CREATE TABLE snapshots (
  doc_key INTEGER NOT NULL REFERENCES documents(doc_key),
  seq     INTEGER NOT NULL,
  state   BLOB NOT NULL,
  PRIMARY KEY (doc_key, seq)
);
