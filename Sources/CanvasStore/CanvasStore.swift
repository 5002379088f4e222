import Canvas
import Foundation
import LatentMath
import Logging

/// The durable op log of every document: one SQLite file (the default), or a PostgreSQL
/// database shared by several Latitude nodes (see `StoreLocation`).
///
/// Built on each database's C API directly (SQLite's, and libpq) rather than GRDB or
/// postgres-nio: the hot path is one cached prepared INSERT bound with raw bytes inside a
/// group-commit transaction on a dedicated writer thread, which needs no query builder,
/// record protocol or event loop, and the C APIs keep the package's build small. All C
/// types stay inside this target; the SQL of each backend sits behind `OpLogConnection`.
///
/// Thread-safe. Writes are serialised on one writer connection; reads use their own
/// connection and see only committed data. Durable means surviving SIGKILL: SQLite's WAL
/// with `synchronous=NORMAL` (or `FULL` when configured); PostgreSQL's commit.
// @unchecked: its two connections are used only under `writeLock` / `readLock`.
public final class CanvasStore: @unchecked Sendable {
  /// Where the log lives: the SQLite file's path, or the PostgreSQL URL without password.
  public let path: String
  /// The configuration it was opened with.
  public let configuration: StoreConfiguration
  /// Document leases, on PostgreSQL only: which documents this node may append to.
  public let ownership: DocumentOwnership?
  let logger: Logger
  let validator: OpValidator

  let writer: any OpLogConnection
  let writeLock = NSLock()
  /// Per-document writer state (head seq, folded state); guarded by `writeLock`.
  var writerDocuments: [DocumentID: WriterDocument] = [:]

  let reader: any OpLogConnection
  let readLock = NSLock()

  /// Encodes snapshots off the writer thread (see CanvasStore+SnapshotScheduling).
  let snapshotQueue = DispatchQueue(label: "latitude.snapshots", qos: .utility)
  let snapshotLock = NSLock()
  /// Encoded snapshots waiting for the next write transaction; guarded by `snapshotLock`.
  var readySnapshots: [ReadySnapshot] = []

  /// Opens the SQLite store at `path`, creating it and applying migrations as needed.
  /// - Throws: `StoreError.missingFile` when absent and `createIfMissing` is off;
  ///   `StoreError.sqlite` or `.newerSchema` when it cannot be opened.
  public convenience init(
    path: String, configuration: StoreConfiguration = StoreConfiguration(), logger: Logger
  ) throws(StoreError) {
    try self.init(location: .sqlite(path), configuration: configuration, logger: logger)
  }

  /// Opens the store at `location`, creating the SQLite file or applying PostgreSQL
  /// migrations as needed.
  /// - Throws: `StoreError.missingFile` when a SQLite file is absent and `createIfMissing`
  ///   is off; `.sqlite`, `.postgres` or `.newerSchema` when it cannot be opened.
  public init(
    location: StoreLocation, configuration: StoreConfiguration = StoreConfiguration(),
    logger: Logger
  ) throws(StoreError) {
    self.path = location.description
    self.configuration = configuration
    self.logger = logger
    self.validator = OpValidator(limits: configuration.limits)
    switch location {
    case .sqlite(let path):
      if !configuration.createIfMissing && !FileManager.default.fileExists(atPath: path) {
        throw .missingFile(path)
      }
      (writer, reader) = try StoreError.wrap {
        let writer = try SQLiteConnection(path: path, create: configuration.createIfMissing)
        try writer.configureForOpLog(configuration.durability)
        try writer.migrate()
        try writer.execute("PRAGMA wal_autocheckpoint=0")
        let checkpointer = try BackgroundCheckpointer(path: path, logger: logger)
        let reader = try SQLiteConnection(path: path)
        try reader.execute("PRAGMA foreign_keys=ON;")
        return (SQLiteOpLog(writer, checkpointer: checkpointer), SQLiteOpLog(reader))
      }
      ownership = nil
    case .postgres(let url):
      let opened = try StoreError.wrap {
        let leases = try DocumentOwnership(url: url, configuration: configuration, logger: logger)
        let writer = try PostgresConnection(url: url)
        try writer.migrate()
        // A writer paused inside its transaction (a stopped process, a stalled VM) holds
        // the lease row it locked for the fencing check, and so blocks every other node
        // from taking the document over. PostgreSQL ends such a transaction after a lease
        // time of silence (nothing of it was acknowledged), and no write waits on a lock
        // for longer than two lease times.
        try writer.limitWaits(
          lockTimeoutMs: 2 * leases.leaseMilliseconds,
          idleInTransactionMs: leases.leaseMilliseconds)
        let reader = try PostgresConnection(url: url)
        return (
          PostgresOpLog(writer, ownership: leases), PostgresOpLog(reader, ownership: nil), leases
        )
      }
      (writer, reader, ownership) = (opened.0, opened.1, opened.2)
    }
    ownership?.store = self
    logger.debug("opened op log", metadata: ["at": "\(path)"])
  }

  /// Runs `body` on the reader connection under its lock, converting database errors.
  func read<T>(_ body: (any OpLogConnection) throws -> T) throws(StoreError) -> T {
    ServiceThread.assertNotCurrent("a store read")
    readLock.lock()
    defer { readLock.unlock() }
    return try StoreError.wrap { try body(reader) }
  }

  /// Runs `body` on the writer connection under its lock, converting database errors.
  func write<T>(_ body: (any OpLogConnection) throws -> T) throws(StoreError) -> T {
    ServiceThread.assertNotCurrent("a store write")
    writeLock.lock()
    defer { writeLock.unlock() }
    return try StoreError.wrap { try body(writer) }
  }
}

extension StoreError {
  /// Runs `body`, turning any thrown error into a `StoreError`.
  static func wrap<T>(_ body: () throws -> T) throws(StoreError) -> T {
    do {
      return try body()
    } catch let error as StoreError {
      throw error
    } catch let error as SQLiteError {
      throw .sqlite(error)
    } catch let error as PostgresError {
      throw .postgres(error)
    } catch {
      throw .corrupt("\(error)")
    }
  }
}
