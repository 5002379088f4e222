/// A row-major Float32 matrix: the buffer every layer reads and writes.
public struct Matrix: Sendable, Equatable {
  /// Number of rows.
  public private(set) var rows: Int
  /// Number of columns.
  public let columns: Int
  /// `rows × columns` values, row after row.
  public var values: [Float]

  /// A zero matrix.
  public init(rows: Int, columns: Int) {
    precondition(rows >= 0 && columns >= 0, "negative matrix shape")
    self.rows = rows
    self.columns = columns
    values = [Float](repeating: 0, count: rows * columns)
  }

  /// Wraps `values` (row-major); the count must be `rows × columns`.
  public init(rows: Int, columns: Int, values: [Float]) {
    precondition(values.count == rows * columns, "matrix values do not match shape")
    self.rows = rows
    self.columns = columns
    self.values = values
  }

  /// One row, copied.
  public func row(_ index: Int) -> [Float] {
    Array(values[index * columns..<(index + 1) * columns])
  }

  /// The element at (row, column).
  public subscript(row: Int, column: Int) -> Float {
    get { values[row * columns + column] }
    set { values[row * columns + column] = newValue }
  }
}
