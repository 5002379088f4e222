import Canvas

/// Protocol v1: JSON text frames `{"t": type, ...}` on `/v1/docs/{docId}`.
/// The JSON Schemas in Schema/protocol/ describe every message; `ClientMessage` and
/// `ServerMessage` are their types.
public enum ProtocolVersion {
  /// The protocol version this server speaks.
  public static let current = 1
}

/// The id and list rules of the op validator, applied to ephemeral frames too.
enum ProtocolLimits {
  static let maxListLength = ValidationLimits.standard.maxListLength

  static func isValidID(_ id: String) -> Bool {
    (try? OpValidator().checkID(id, field: "id")) != nil
  }
}
