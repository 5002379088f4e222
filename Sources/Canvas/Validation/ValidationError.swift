/// Why an op was refused. Each case renders a message fit to show a user.
public enum ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
  /// A latent has the wrong number of dimensions.
  case wrongDimension(field: String, expected: Int, actual: Int)
  /// A latent or number is NaN or infinite.
  case nonFinite(field: String)
  /// A text is empty or only whitespace.
  case emptyText(field: String)
  /// A text is longer than the limit.
  case textTooLong(field: String, limit: Int)
  /// An id is empty, too long, or has control characters.
  case invalidID(field: String)
  /// The lamport is zero; lamports start at 1.
  case zeroLamport
  /// The lamport is too far ahead of the document's.
  case lamportTooFarAhead(lamport: UInt64, documentLamport: UInt64, limit: UInt64)
  /// The op kind is not one this version knows.
  case unknownKind(String)
  /// A list is longer than the limit.
  case tooMany(field: String, limit: Int)
  /// A logged op lacks the latent the server resolves (node.move, node.setText).
  case unresolvedLatent(kind: OpKind)
  /// A payload field is missing or malformed.
  case malformed(String)
  /// An axis direction is zero (or too close to it to normalise).
  case zeroDirection(field: String)
  /// An axis calibration's means are out of range or too close to separate its poles.
  case degenerateCalibration(field: String)

  /// A stable machine-readable code.
  public var code: String {
    switch self {
    case .wrongDimension: "wrong_dimension"
    case .nonFinite: "non_finite"
    case .emptyText: "empty_text"
    case .textTooLong: "text_too_long"
    case .invalidID: "invalid_id"
    case .zeroLamport: "zero_lamport"
    case .lamportTooFarAhead: "lamport_too_far_ahead"
    case .unknownKind: "unknown_kind"
    case .tooMany: "too_many"
    case .unresolvedLatent: "unresolved_latent"
    case .malformed: "malformed"
    case .zeroDirection: "invalid_axis"
    case .degenerateCalibration: "invalid_axis"
    }
  }

  public var description: String {
    switch self {
    case .wrongDimension(let field, let expected, let actual):
      "\(field) has \(actual) dimensions; expected \(expected)"
    case .nonFinite(let field): "\(field) contains NaN or infinity"
    case .emptyText(let field): "\(field) is empty"
    case .textTooLong(let field, let limit): "\(field) is longer than \(limit) characters"
    case .invalidID(let field): "\(field) must be 1–128 bytes with no control characters"
    case .zeroLamport: "lamport must be at least 1"
    case .lamportTooFarAhead(let lamport, let documentLamport, let limit):
      "lamport \(lamport) is more than \(limit) ahead of the document's \(documentLamport)"
    case .unknownKind(let kind): "unknown op kind '\(kind)'"
    case .tooMany(let field, let limit): "\(field) has more than \(limit) entries"
    case .unresolvedLatent(let kind): "\(kind.rawValue) must carry its resolved latent"
    case .malformed(let detail): "malformed op: \(detail)"
    case .zeroDirection(let field): "\(field) is a zero vector; an axis needs a direction"
    case .degenerateCalibration(let field):
      "\(field): the means must be finite, within ±\(AxisCalibration.maximumMagnitude) and at least \(AxisCalibration.minimumSpan) apart"
    }
  }
}
