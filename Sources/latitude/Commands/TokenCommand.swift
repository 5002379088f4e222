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
    guard let seconds = Self.seconds(ttl), seconds > 0 else {
      throw ValidationError("--ttl must look like 90s, 30m, 1h or 7d, not '\(ttl)'")
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

  static func seconds(_ text: String) -> Int64? {
    guard let unit = text.last, let value = Int64(text.dropLast()) else { return Int64(text) }
    switch unit {
    case "s": return value
    case "m": return value * 60
    case "h": return value * 3600
    case "d": return value * 86400
    default: return nil
    }
  }
}
