/// One schema migration: a SQL file from Schema/sqlite/, applied once and recorded.
struct Migration: Sendable {
  /// Its order; files are named NNNN_name.sql.
  var version: Int
  /// The file name without extension.
  var name: String
  /// The SQL it runs.
  var sql: String
}

extension SQLiteConnection {
  /// Applies every migration not yet recorded in `schema_migrations`, each in its own
  /// transaction, in version order.
  /// - Throws: `StoreError.newerSchema` when the file was written by a newer Latitude.
  func migrate(_ migrations: [Migration] = Migration.all) throws {
    try execute(
      """
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)
      """)
    let query = try statement("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
    defer { query.reset() }
    _ = try query.step()
    let current = Int(query.int64(0))
    query.reset()
    let known = migrations.map(\.version).max() ?? 0
    guard current <= known else { throw StoreError.newerSchema(found: current, supported: known) }
    for migration in migrations.sorted(by: { $0.version < $1.version })
    where migration.version > current {
      try transaction {
        try execute(migration.sql)
        let record = try statement(
          "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, strftime('%s','now'))"
        )
        defer { record.reset() }
        record.bind(1, Int64(migration.version))
        record.bind(2, migration.name)
        try record.run()
      }
    }
  }
}
