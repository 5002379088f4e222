import Foundation

/// Where the op log lives: a SQLite file (the default, one process) or a PostgreSQL
/// database that several Latitude nodes share.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
  /// A SQLite file at this path.
  case sqlite(String)
  /// A PostgreSQL database: a `postgres://` or `postgresql://` URL (libpq syntax).
  case postgres(String)

  /// `postgres://…` and `postgresql://…` name PostgreSQL; anything else is a file path.
  public init(_ text: String) {
    self =
      text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
      ? .postgres(text) : .sqlite(text)
  }

  /// The path, or the URL with any password replaced by `***` (fit for logs).
  public var description: String {
    switch self {
    case .sqlite(let path): path
    case .postgres(let url): Self.redacted(url)
    }
  }

  /// `url` with the password of its user-info and any `password=` parameter hidden.
  static func redacted(_ url: String) -> String {
    var text = url
    if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@"),
      let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
    {
      text.replaceSubrange(text.index(after: colon)..<at, with: "***")
    }
    if let range = text.range(of: #"password=[^&]*"#, options: .regularExpression) {
      text.replaceSubrange(range, with: "password=***")
    }
    return text
  }
}
