extension SQLiteConnection {
  /// The settings every op-log writer uses (the store and its benchmark reference alike).
  ///
  /// - 16 KiB pages hold ~18 ops of ~900 bytes (a 4 KiB page holds 4), so appends split and
  ///   rebalance far fewer pages. `page_size` only takes effect on a new, empty file.
  /// - WAL, with `synchronous` from the configured durability.
  /// - A 32 MiB page cache, and a 64 MiB WAL before each automatic checkpoint, so large
  ///   group commits are not interrupted by frequent checkpoints. The store turns automatic
  ///   checkpoints off and runs them in the background instead (`BackgroundCheckpointer`).
  func configureForOpLog(_ durability: StoreConfiguration.Durability) throws(SQLiteError) {
    try execute(
      """
      PRAGMA page_size=16384;
      PRAGMA cache_size=-32768;
      PRAGMA journal_mode=WAL;
      PRAGMA wal_autocheckpoint=4096;
      PRAGMA synchronous=\(durability.rawValue);
      PRAGMA foreign_keys=ON;
      """)
  }
}
