import Foundation

/// A CLI failure with a plain message; exits with status 1.
public struct CLIError: Error, CustomStringConvertible {
  public var description: String
  /// A failure with this message.
  public init(_ description: String) { self.description = description }
}

/// Writes text to standard output without buffering surprises.
public func writeOut(_ text: String) {
  FileHandle.standardOutput.write(Data(text.utf8))
}

/// Every line of `file` ('-' for standard input), without line endings ("\r\n" too).
/// - Throws: `CLIError` when the file cannot be read.
public func readInputLines(_ file: String) throws -> [String] {
  let data: Data
  if file == "-" {
    data = FileHandle.standardInput.readDataToEndOfFile()
  } else if let contents = FileManager.default.contents(atPath: file) {
    data = contents
  } else {
    throw CLIError("cannot read \(file)")
  }
  return String(decoding: data, as: UTF8.self)
    .split(separator: "\n", omittingEmptySubsequences: false)
    .map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) }
    .dropLast(data.last == 0x0A ? 1 : 0)
}
