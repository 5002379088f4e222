extension PostgresConnection {
  /// Applies every migration in Schema/postgres/ not yet recorded, in one transaction
  /// under a transaction-scoped advisory lock, so nodes starting together migrate once.
  /// - Throws: `StoreError.newerSchema` when the database was migrated by a newer Latitude.
  func migrate(_ migrations: [Migration] = Migration.postgres) throws {
    try transaction {
      // 0x1a717ade: any constant; every Latitude node migrates under the same one.
      try execute("SELECT pg_advisory_xact_lock(443644638)")
      try execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version INTEGER PRIMARY KEY, name TEXT NOT NULL,
          applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
        """)
      let current = Int(
        try query("SELECT COALESCE(MAX(version), 0)::int8 FROM schema_migrations").int64(0, 0))
      let known = migrations.map(\.version).max() ?? 0
      guard current <= known else {
        throw StoreError.newerSchema(found: current, supported: known)
      }
      for migration in migrations.sorted(by: { $0.version < $1.version })
      where migration.version > current {
        try execute(migration.sql)
        _ = try query(
          "INSERT INTO schema_migrations(version, name) VALUES ($1::int8::int4, $2)",
          [.int64(Int64(migration.version)), .text(migration.name)])
      }
    }
  }
}
