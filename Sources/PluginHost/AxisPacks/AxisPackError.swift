/// Why an axis pack or one of its axes was refused.
public enum AxisPackError: Error, Equatable, CustomStringConvertible {
  /// The file could not be read.
  case unreadable(String)
  /// The file is not a valid pack.
  case malformed(path: String, detail: String)
  /// One axis is invalid; the others still load.
  case invalidAxis(pack: String, axis: String, detail: String)
  /// Two packs define the same axis id.
  case duplicate(axis: String, first: String, second: String)

  public var description: String {
    switch self {
    case .unreadable(let path): "cannot read axis pack \(path)"
    case .malformed(let path, let detail): "axis pack \(path) is malformed: \(detail)"
    case .invalidAxis(let pack, let axis, let detail): "axis '\(axis)' in pack \(pack): \(detail)"
    case .duplicate(let axis, let first, let second):
      "axis '\(axis)' is defined by both \(first) and \(second); the second is ignored"
    }
  }
}
