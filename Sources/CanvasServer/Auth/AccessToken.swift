import Crypto
import Foundation

/// What a token lets its holder do in a document.
public enum Role: String, Codable, Sendable, CaseIterable {
  /// Read only: joins, presence and history; ops and drags are refused (403).
  case viewer
  /// Reads and writes.
  case editor
  /// Reads and writes; may later manage the document.
  case owner

  /// True for roles that may send ops and drags.
  public var canWrite: Bool { self != .viewer }
}

/// Why a token was refused.
public enum AccessTokenError: Error, Equatable, CustomStringConvertible {
  case malformed
  case badSignature
  case expired
  case wrongDocument

  public var description: String {
    switch self {
    case .malformed: "the token is not a Latitude token"
    case .badSignature: "the token's signature does not match this server's secret"
    case .expired: "the token has expired"
    case .wrongDocument: "the token is for another document"
    }
  }
}

/// A document-scoped access token: base64url(JSON claims) "." base64url(HMAC-SHA256 of the
/// first part, keyed by the server's secret).
public struct AccessToken: Codable, Equatable, Sendable {
  /// The document id, or "*" for every document.
  public var doc: String
  /// The holder's role.
  public var role: Role
  /// Expiry, unix seconds.
  public var exp: Int64
  /// Who the holder is (becomes the actor of their ops); optional.
  public var sub: String?

  /// Makes claims; sign them with `signed(secret:)`.
  public init(doc: String, role: Role, exp: Int64, sub: String? = nil) {
    self.doc = doc
    self.role = role
    self.exp = exp
    self.sub = sub
  }

  /// The signed token string.
  public func signed(secret: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let claims = Self.base64URL((try? encoder.encode(self)) ?? Data())
    return claims + "." + Self.base64URL(Self.signature(claims, secret: secret))
  }

  /// Checks the signature, the expiry and the document scope.
  /// - Throws: `AccessTokenError`.
  public static func verify(
    _ token: String, secret: String, document: String, now: Date = Date()
  ) throws(AccessTokenError) -> AccessToken {
    let parts = token.split(separator: ".")
    guard parts.count == 2, let signature = data(fromBase64URL: String(parts[1])),
      let claimsData = data(fromBase64URL: String(parts[0]))
    else { throw .malformed }
    let key = SymmetricKey(data: Data(secret.utf8))
    guard
      HMAC<SHA256>.isValidAuthenticationCode(
        signature, authenticating: Data(parts[0].utf8), using: key)
    else {
      throw .badSignature
    }
    guard let claims = try? JSONDecoder().decode(AccessToken.self, from: claimsData) else {
      throw .malformed
    }
    guard claims.exp > Int64(now.timeIntervalSince1970) else { throw .expired }
    guard claims.doc == "*" || claims.doc == document else { throw .wrongDocument }
    return claims
  }

  static func signature(_ claims: String, secret: String) -> Data {
    Data(
      HMAC<SHA256>.authenticationCode(
        for: Data(claims.utf8), using: SymmetricKey(data: Data(secret.utf8))))
  }

  static func base64URL(_ data: Data) -> String {
    data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
      .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
  }

  static func data(fromBase64URL text: String) -> Data? {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(
      of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    return Data(base64Encoded: base64)
  }
}
