/// A database connection that runs SQL text: all a transaction needs.
protocol SQLTextExecuting {
  /// Runs one or more statements whose rows are not needed.
  func execute(_ sql: String) throws
  /// The statement that opens a write transaction.
  var beginTransaction: String { get }
}

extension SQLTextExecuting {
  /// Runs `body` in a transaction, committing on success and rolling back when it throws.
  func transaction<T>(_ body: () throws -> T) throws -> T {
    try execute(beginTransaction)
    do {
      let result = try body()
      try execute("COMMIT")
      return result
    } catch {
      try? execute("ROLLBACK")
      throw error
    }
  }
}
