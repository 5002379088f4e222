import Canvas
import Foundation
import LatentMath
import Logging

/// The durable op log of every document, in one SQLite file.
///
/// Built on SQLite's C API directly rather than GRDB: the hot path is one cached prepared
/// INSERT bound with raw blobs inside a group-commit transaction, which needs no query
/// builder or record protocol, and the C API keeps the package's build small. All C types
/// stay inside this target.
///
/// Thread-safe. Writes are serialised on one writer connection; reads use their own
/// connection and see only committed data (WAL). Durable means surviving SIGKILL: WAL with
/// `synchronous=NORMAL`, or `FULL` when configured.
// @unchecked: its two SQLite connections are used only under `writeLock` / `readLock`.
public final class CanvasStore: @unchecked Sendable {
  /// The database file.
  public let path: String
  /// The configuration it was opened with.
  public let configuration: StoreConfiguration
  let logger: Logger
  let validator: OpValidator

  let writer: SQLiteConnection
  let writeLock = NSLock()
  /// Per-document writer state (head seq, folded state); guarded by `writeLock`.
  var writerDocuments: [DocumentID: WriterDocument] = [:]

  let reader: SQLiteConnection
  let readLock = NSLock()
  let checkpointer: BackgroundCheckpointer

  /// Encodes snapshots off the writer thread (see CanvasStore+SnapshotScheduling).
  let snapshotQueue = DispatchQueue(label: "latitude.snapshots", qos: .utility)
  let snapshotLock = NSLock()
  /// Encoded snapshots waiting for the next write transaction; guarded by `snapshotLock`.
  var readySnapshots: [ReadySnapshot] = []

  /// Opens the store at `path`, creating it and applying migrations as needed.
  /// - Throws: `StoreError.missingFile` when absent and `createIfMissing` is off;
  ///   `StoreError.sqlite` or `.newerSchema` when it cannot be opened.
  public init(
    path: String, configuration: StoreConfiguration = StoreConfiguration(), logger: Logger
  ) throws(StoreError) {
    self.path = path
    self.configuration = configuration
    self.logger = logger
    self.validator = OpValidator(limits: configuration.limits)
    if !configuration.createIfMissing && !FileManager.default.fileExists(atPath: path) {
      throw .missingFile(path)
    }
    let connections = try StoreError.wrap {
      let writer = try SQLiteConnection(path: path, create: configuration.createIfMissing)
      try writer.configureForOpLog(configuration.durability)
      try writer.migrate()
      try writer.execute("PRAGMA wal_autocheckpoint=0")
      let checkpointer = try BackgroundCheckpointer(path: path, logger: logger)
      let reader = try SQLiteConnection(path: path)
      try reader.execute("PRAGMA foreign_keys=ON;")
      return (writer, reader, checkpointer)
    }
    (writer, reader, checkpointer) = connections
    logger.debug("opened op log", metadata: ["path": "\(path)"])
  }

  /// Runs `body` on the reader connection under its lock, converting SQLite errors.
  func read<T>(_ body: (SQLiteConnection) throws -> T) throws(StoreError) -> T {
    ServiceThread.assertNotCurrent("a store read")
    readLock.lock()
    defer { readLock.unlock() }
    return try StoreError.wrap { try body(reader) }
  }

  /// Runs `body` on the writer connection under its lock, converting SQLite errors.
  func write<T>(_ body: (SQLiteConnection) throws -> T) throws(StoreError) -> T {
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
    } catch {
      throw .corrupt("\(error)")
    }
  }
}
