import ArgumentParser
import CanvasServer
import Dispatch
import Foundation
import Latent
import Logging

/// `latitude serve`: the collaboration server.
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Run the collaboration server (WebSocket /v1/docs/{id}, HTTP /healthz).",
    discussion: "Stops gracefully on SIGTERM or SIGINT: peers get close 1001, pending ops commit.")

  @Option(help: "Interface to bind.") var host = "127.0.0.1"
  @Option(help: "Port (0 picks a free one).") var port = 8080
  @Option(help: "SQLite op log.") var db = "./data/latitude.sqlite"
  @Option(help: "Largest incoming message in bytes.") var maxMessageBytes = 1 << 20
  @Option(help: "Encoder weights folder.") var weights = SentenceEncoder.defaultDirectory
  @Flag(help: "Run without the encoder (typed texts are refused).") var noEncoder = false
  @Option(
    help: "HMAC secret for access tokens (or set LATITUDE_SECRET). Without one, loopback only.")
  var secret: String?
  @Option(help: "Frames per second one connection may send, sustained.") var framesPerSecond = 120.0
  @Option(help: "Frames one connection may send in a burst.") var frameBurst = 240.0

  func validate() throws {
    // Without token auth, every client could write every document: stay on loopback
    // (put a reverse proxy with its own auth in front to serve others).
    guard resolvedSecret != nil || ["127.0.0.1", "localhost", "::1"].contains(host) else {
      throw ValidationError(
        "--host \(host): without an auth secret (--secret or LATITUDE_SECRET) Latitude binds loopback only"
      )
    }
    if let secret = resolvedSecret, secret.utf8.count < 16 {
      throw ValidationError("the auth secret must be at least 16 bytes")
    }
    guard (0...65535).contains(port), maxMessageBytes >= 1024 else {
      throw ValidationError("--port must be 0–65535 and --max-message-bytes at least 1024")
    }
    guard framesPerSecond > 0, frameBurst >= 1 else {
      throw ValidationError("--frames-per-second must be positive and --frame-burst at least 1")
    }
  }

  /// --secret, else LATITUDE_SECRET.
  var resolvedSecret: String? {
    secret
      ?? ProcessInfo.processInfo.environment["LATITUDE_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
  }

  func run() throws {
    BLAS.useOneThreadPerCall()
    let logger = Logger(label: "latitude.server")
    var configuration = LatitudeServer.Configuration(
      transport: .init(host: host, port: port, maxMessageBytes: maxMessageBytes),
      databasePath: db, encoderDirectory: noEncoder ? nil : weights)
    configuration.framesPerSecond = framesPerSecond
    configuration.frameBurst = frameBurst
    configuration.secret = resolvedSecret
    let server = try LatitudeServer(configuration: configuration, logger: logger)
    try server.start()
    FileHandle.standardError.write(Data("latitude serving on \(host):\(server.port)\n".utf8))
    let stop = DispatchSemaphore(value: 0)
    var sources: [any DispatchSourceSignal] = []
    for signalNumber in [SIGTERM, SIGINT] {
      signal(signalNumber, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
      source.setEventHandler { stop.signal() }
      source.resume()
      sources.append(source)
    }
    stop.wait()
    server.stop()
    _ = sources
  }
}
