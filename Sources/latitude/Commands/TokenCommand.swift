import CommandSupport
import ArgumentParser
import CanvasServer
import Foundation

/// `latitude token`: mints an access token for one document (or all, with --doc '*').
struct TokenCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "token",
    abstract: "Mint an HMAC-signed access token (document scope, role, expiry).",
    discussion:
      "Clients pass it as ?token=... on the WebSocket URL or as 'Authorization: Bearer ...'.")

  @Option(help: "Document id, or '*' for every document.") var doc: String
  @Option(help: "viewer, editor or owner.") var role: String = "editor"
  @Option(help: "Lifetime: e.g. 90s, 30m, 1h, 7d.") var ttl: String = "1h"
  @Option(help: "Who the holder is (becomes the actor of their ops).") var sub: String?
  @Option(help: "The server's secret (or set LATITUDE_SECRET).") var secret: String?

  func run() throws {
    guard let role = Role(rawValue: role) else {
      throw ValidationError("--role must be viewer, editor or owner, not '\(self.role)'")
    }
    guard let seconds = Self.seconds(ttl) else {
      throw ValidationError(
        "--ttl must look like 90s, 30m, 1h or 7d, at most 3650d, not '\(ttl)'")
    }
    guard let key = secret ?? ProcessInfo.processInfo.environment["LATITUDE_SECRET"], !key.isEmpty
    else {
      throw ValidationError(
        "give --secret or set LATITUDE_SECRET (the same secret the server uses)")
    }
    let token = AccessToken(
      doc: doc, role: role, exp: Int64(Date().timeIntervalSince1970) + seconds, sub: sub)
    writeOut(token.signed(secret: key) + "\n")
  }

  /// The longest lifetime a token may have: ten years.
  static let maxSeconds: Int64 = 10 * 365 * 86400

  /// A lifetime like "90s", "30m", "1h", "7d" (or plain seconds) in seconds; nil when it is
  /// malformed or over `maxSeconds` (checked arithmetic: no lifetime can overflow).
  static func seconds(_ text: String) -> Int64? {
    let multipliers: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
    let value: Int64?
    let multiplier: Int64
    if let unit = text.last, let factor = multipliers[unit] {
      value = Int64(text.dropLast())
      multiplier = factor
    } else {
      value = Int64(text)
      multiplier = 1
    }
    guard let value, value > 0 else { return nil }
    let (total, overflow) = value.multipliedReportingOverflow(by: multiplier)
    return overflow || total > maxSeconds ? nil : total
  }
}
