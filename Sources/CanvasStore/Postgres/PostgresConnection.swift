import CLibPQ
import Foundation

/// A parameter bound to a PostgreSQL statement, sent in binary.
enum PostgresValue {
  case int64(Int64)
  case text(String)
  case bytes([UInt8])
  /// A one-dimensional array without NULLs of int8 values.
  case int64Array([Int64])
  /// A one-dimensional array without NULLs of text values.
  case textArray([String])
  /// A one-dimensional array without NULLs of bytea values.
  case bytesArray([[UInt8]])

  /// The type's OID, so the server needs no inference.
  var oid: Oid {
    switch self {
    case .int64: 20
    case .text: 25
    case .bytes: 17
    case .int64Array: 1016
    case .textArray: 1009
    case .bytesArray: 1001
    }
  }

  /// The binary wire form: big-endian for int8, raw bytes for text and bytea, and for
  /// arrays PostgreSQL's array_send layout (dimensions, element type, then each element
  /// prefixed by its length).
  var wire: [UInt8] {
    switch self {
    case .int64(let value): Self.bigEndian(value)
    case .text(let value): Array(value.utf8)
    case .bytes(let value): value
    case .int64Array(let values): Self.array(element: 20, values.map(Self.bigEndian))
    case .textArray(let values): Self.array(element: 25, values.map { Array($0.utf8) })
    case .bytesArray(let values): Self.array(element: 17, values)
    }
  }

  private static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
  }

  private static func array(element: Oid, _ items: [[UInt8]]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(20 + items.reduce(0) { $0 + 4 + $1.count })
    for header in [Int32(1), 0, Int32(bitPattern: element), Int32(items.count), 1] {
      out += bigEndian(header)
    }
    for item in items {
      out += bigEndian(Int32(item.count))
      out += item
    }
    return out
  }
}

/// One libpq connection. Statements are prepared once per connection and run with binary
/// parameters and results (no text escaping of payloads, no integer parsing). Not
/// thread-safe: its owner serialises every use behind a lock.
final class PostgresConnection: SQLTextExecuting {
  /// The libpq connection; nil after it was lost and could not be reopened (never a
  /// finished handle: PQfinish runs exactly once per connection).
  private var handle: OpaquePointer?
  private let url: String
  /// Prepared statement names by SQL text.
  private var prepared: [String: String] = [:]
  /// Between BEGIN and COMMIT/ROLLBACK: a lost connection is then an error, never
  /// silently reopened (the rest of the transaction would run outside it).
  private var transactionOpen = false
  /// `SET` statements run on this connection and again on every reconnection.
  private var settings: [String] = []

  /// Connects to `url` (`postgres://user@host:port/db?…`, any libpq connection string).
  init(url: String) throws(PostgresError) {
    self.url = url
    handle = try Self.connect(url)
  }

  deinit {
    if let handle { PQfinish(handle) }
  }

  private static func connect(_ url: String) throws(PostgresError) -> OpaquePointer {
    guard let connection = PQconnectdb(url) else {
      throw PostgresError(message: "out of memory connecting to PostgreSQL")
    }
    guard PQstatus(connection) == CONNECTION_OK else {
      let message = String(cString: PQerrorMessage(connection))
        .trimmingCharacters(in: .whitespacesAndNewlines)
      PQfinish(connection)
      throw PostgresError(
        message: "cannot connect to \(StoreLocation.redacted(url)): \(message)")
    }
    // Notices ("relation already exists, skipping") would go to stderr.
    PQclear(PQexec(connection, "SET client_min_messages = warning"))
    return connection
  }

  /// The live connection, reopened if it was lost (statements are prepared again) —
  /// except inside a transaction, where losing it fails the transaction.
  private func live() throws(PostgresError) -> OpaquePointer {
    if let handle, PQstatus(handle) == CONNECTION_OK { return handle }
    if let handle {
      PQfinish(handle)
      self.handle = nil
      prepared.removeAll()
    }
    if transactionOpen {
      throw PostgresError(
        sqlState: "08006", message: "the connection was lost inside a transaction")
    }
    let fresh = try Self.connect(url)
    handle = fresh
    for setting in settings { try execute(setting, on: fresh) }
    return fresh
  }

  /// Runs the `SET` statements `settings` now and again whenever the connection is
  /// reopened, so a session setting never silently lapses with a reconnection.
  func keep(settings: [String]) throws(PostgresError) {
    let db = try live()
    for setting in settings { try execute(setting, on: db) }
    self.settings = settings
  }

  /// Bounds how long this connection waits for a row or advisory lock, and how long a
  /// transaction of it may sit idle (its process paused or stuck between statements):
  /// past that, PostgreSQL ends the session, which releases its locks and rolls the
  /// transaction back. nil leaves PostgreSQL's default (no limit).
  func limitWaits(lockTimeoutMs: Int, idleInTransactionMs: Int?) throws(PostgresError) {
    var settings = ["SET lock_timeout = \(max(1, lockTimeoutMs))"]
    if let idleInTransactionMs {
      settings.append("SET idle_in_transaction_session_timeout = \(max(1, idleInTransactionMs))")
    }
    try keep(settings: settings)
  }

  /// Runs one or more statements that return no rows needed (simple query protocol).
  func execute(_ sql: String) throws(PostgresError) {
    let ending = sql == "COMMIT" || sql == "ROLLBACK"
    // A transaction ends with its COMMIT or ROLLBACK, even a failed one.
    defer { if ending { transactionOpen = false } }
    let db = try live()
    try execute(sql, on: db)
    if sql == beginTransaction { transactionOpen = true }
  }

  private func execute(_ sql: String, on db: OpaquePointer) throws(PostgresError) {
    let result = PQexec(db, sql)
    defer { PQclear(result) }
    try check(result, sql, db)
  }

  /// Runs `sql` (prepared on first use) with `parameters`; the result's rows in binary.
  func query(_ sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError)
    -> PostgresResult
  {
    let db = try live()
    let name = try statementName(sql, parameters, db)
    let values = parameters.map(\.wire)
    let lengths = values.map { Int32($0.count) }
    let formats = [Int32](repeating: 1, count: values.count)
    let result = Self.withPointers(values) { pointers in
      PQexecPrepared(db, name, Int32(values.count), pointers, lengths, formats, 1)
    }
    do {
      try check(result, sql, db)
    } catch {
      PQclear(result)
      throw error
    }
    return PostgresResult(result!)
  }

  private func statementName(
    _ sql: String, _ parameters: [PostgresValue], _ db: OpaquePointer
  ) throws(PostgresError) -> String {
    if let name = prepared[sql] { return name }
    let name = "s\(prepared.count)"
    let types = parameters.map(\.oid)
    let result = PQprepare(db, name, sql, Int32(types.count), types)
    defer { PQclear(result) }
    try check(result, sql, db)
    prepared[sql] = name
    return name
  }

  /// PostgreSQL's default isolation (read committed): the fencing check locks its row.
  var beginTransaction: String { "BEGIN" }

  private func check(_ result: OpaquePointer?, _ sql: String, _ db: OpaquePointer)
    throws(PostgresError)
  {
    let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
    guard status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK else { return }
    var state = ""
    var message = String(cString: PQerrorMessage(db))
    if let result {
      if let code = PQresultErrorField(result, Int32(UInt8(ascii: "C"))) {
        state = String(cString: code)
      }
      if let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))) {
        message = String(cString: primary)
      }
    }
    let statement = sql.split(separator: "\n").first.map(String.init) ?? sql
    throw PostgresError(
      sqlState: state,
      message:
        "\(message.trimmingCharacters(in: .whitespacesAndNewlines)) (in: \(statement.prefix(80)))")
  }

  /// Calls `body` with C pointers to each value's bytes, valid during the call.
  private static func withPointers<R>(
    _ values: [[UInt8]], _ body: ([UnsafePointer<CChar>?]) -> R
  ) -> R {
    var pointers: [UnsafePointer<CChar>?] = []
    pointers.reserveCapacity(values.count)
    func bind(_ index: Int) -> R {
      if index == values.count { return body(pointers) }
      return values[index].withUnsafeBufferPointer { buffer in
        // An empty value still needs a non-null pointer (NULL means SQL NULL).
        let base =
          buffer.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(bitPattern: 1)!
        pointers.append(base.assumingMemoryBound(to: CChar.self))
        return bind(index + 1)
      }
    }
    return bind(0)
  }
}

/// A query's rows, in binary format. Frees its libpq result on deinit.
final class PostgresResult {
  private let handle: OpaquePointer

  init(_ handle: OpaquePointer) { self.handle = handle }
  deinit { PQclear(handle) }

  /// Rows returned.
  var count: Int { Int(PQntuples(handle)) }

  /// True when the value is SQL NULL.
  func isNull(_ row: Int, _ column: Int) -> Bool {
    PQgetisnull(handle, Int32(row), Int32(column)) == 1
  }

  /// An int8 value (a NULL or a value of another size reads as 0).
  func int64(_ row: Int, _ column: Int) -> Int64 {
    withBytes(row, column) { bytes in
      guard bytes.count == 8 else { return 0 }
      return Int64(bigEndian: bytes.loadUnaligned(as: Int64.self))
    }
  }

  /// A text value.
  func string(_ row: Int, _ column: Int) -> String {
    withBytes(row, column) { String(decoding: $0, as: UTF8.self) }
  }

  /// A bool value.
  func bool(_ row: Int, _ column: Int) -> Bool {
    withBytes(row, column) { $0.first == 1 }
  }

  /// Calls `body` with the value's bytes, valid only during the call.
  func withBytes<T>(_ row: Int, _ column: Int, _ body: (UnsafeRawBufferPointer) throws -> T)
    rethrows -> T
  {
    let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
    let base = PQgetvalue(handle, Int32(row), Int32(column))
    return try body(UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : length))
  }
}
