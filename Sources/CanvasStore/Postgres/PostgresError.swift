/// A failure reported by PostgreSQL or libpq, converted once at the C boundary.
public struct PostgresError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The SQLSTATE code ("23505" unique violation, "08006" connection failure…); empty when
  /// libpq failed before the server answered.
  public var sqlState: String
  /// PostgreSQL's or libpq's message, plus what we were doing.
  public var message: String

  init(sqlState: String = "", message: String) {
    self.sqlState = sqlState
    self.message = message
  }

  /// The connection failed or was lost (class 08), rather than a statement.
  var isConnectionFailure: Bool { sqlState.isEmpty || sqlState.hasPrefix("08") }

  public var description: String {
    sqlState.isEmpty
      ? "PostgreSQL error: \(message)" : "PostgreSQL error \(sqlState): \(message)"
  }
}
