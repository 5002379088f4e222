/// Declares the shared behaviour of the string-backed identifiers.
public protocol StringIdentifier: Hashable, Comparable, Sendable, Codable,
  ExpressibleByStringLiteral, CustomStringConvertible
{
  /// The identifier's text.
  var rawValue: String { get }
  /// Wraps `rawValue` without checks; validation checks lengths and characters.
  init(_ rawValue: String)
}

extension StringIdentifier {
  public init(stringLiteral value: String) { self.init(value) }
  public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
  public var description: String { rawValue }
  public init(from decoder: any Decoder) throws {
    self.init(try decoder.singleValueContainer().decode(String.self))
  }
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}

/// Identifies a node within its document.
public struct NodeID: StringIdentifier {
  /// The identifier's text.
  public let rawValue: String
  /// Wraps a string; validation checks it when an op is logged.
  public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// Identifies an axis within its document.
public struct AxisID: StringIdentifier {
  /// The identifier's text.
  public let rawValue: String
  /// Wraps a string; validation checks it when an op is logged.
  public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// A replica: one client installation, chosen by the client and persisted across reconnects.
public struct ReplicaID: StringIdentifier {
  /// The identifier's text.
  public let rawValue: String
  /// Wraps a string; validation checks it when an op is logged.
  public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// Identifies a document (canvas).
public struct DocumentID: StringIdentifier {
  /// The identifier's text.
  public let rawValue: String
  /// Wraps a string; validation checks it when an op is logged.
  public init(_ rawValue: String) { self.rawValue = rawValue }
}
