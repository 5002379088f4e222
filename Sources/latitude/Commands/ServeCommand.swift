import CommandSupport
import ArgumentParser
import CanvasServer
import Dispatch
import Foundation
import Latent
import Logging
import PluginHost

/// `latitude serve`: the collaboration server.
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Run the collaboration server (WebSocket /v1/docs/{id}, HTTP /healthz).",
    discussion: "Stops gracefully on SIGTERM or SIGINT: peers get close 1001, pending ops commit.")

  @Option(help: "Config file of 'key = value' lines (see deploy/latitude.conf).") var config:
    String?
  @Option(help: "Interface to bind [127.0.0.1].") var host: String?
  @Option(help: "Port; 0 picks a free one [8080].") var port: String?
  @Option(
    help:
      "Op log: a SQLite file, or a postgres:// URL shared by several nodes [./data/latitude.sqlite]."
  ) var db: String?
  @Option(help: "PostgreSQL only: this node's name in the leases table [host:port].")
  var nodeName: String?
  @Option(help: "PostgreSQL only: document lease time in ms; renewed every quarter [4000].")
  var leaseMs: String?
  @Option(help: "Largest incoming message in bytes [1048576].") var maxMessageBytes: String?
  @Option(help: "Encoder weights folder.") var weights: String?
  @Flag(help: "Run without the encoder (typed texts are refused).") var noEncoder = false
  @Option(help: "HMAC secret for access tokens, at least 16 bytes. Without one, loopback only.")
  var secret: String?
  @Option(help: "Frames per second one connection may send, sustained [120].") var framesPerSecond:
    String?
  @Option(help: "Frames one connection may send in a burst [240].") var frameBurst: String?
  @Option(help: "Decoder folder [\(TextDecoder.defaultDirectory)].") var decoder: String?
  @Option(help: "Sentence bank file [Weights/bank/train-48k.bank]; 'off' for none.") var bank:
    String?
  @Option(
    help:
      "Words generated text may contain [Weights/decoder/known-words.txt]; 'off' lets the decoder spell freely."
  ) var knownWords: String?
  @Option(
    help:
      "Fluency model weighed in decode ranking [Weights/decoder/fluency.bin]; 'off' ranks by cosine alone."
  ) var fluency: String?
  @Option(
    help: "Cosine per unit of fluency score in decode ranking (0–1) or 'measured' [measured]."
  ) var fluencyWeight: String?
  @Option(
    help:
      "How much decode ranking favours a text that does what its edit asked (an axis moved, a feature on), in cosine units (0–1; 0 ranks by closeness alone) or 'measured' [measured]."
  ) var intentMargin: String?
  @Flag(help: "Run without the decoder (moved nodes keep their last text).") var noDecoder = false
  @Option(
    help: "Feature dictionary folder [\(FeatureDictionary.defaultDirectory)]; 'off' for none.")
  var features: String?
  @Option(help: "Decode worker threads [cores − 1, at least 1].") var decodeWorkers: String?
  @Option(help: "Generated candidates per decode [8].") var decodeCandidates: String?
  @Option(
    help:
      "Generated candidates of a committed decode while other committed decodes wait (1–64), or 'off' for full effort [1]."
  ) var busyCandidates: String?
  @Option(
    help:
      "Committed decodes one worker takes together at the busy effort (1–64) [4]."
  ) var busyBatch: String?
  @Option(
    help:
      "Candidates of the intent round (texts from past the target when none followed the drag) of a committed decode at the busy effort (0–8) [2]."
  ) var busyIntentCandidates: String?
  @Option(
    help:
      "Skip sampling when greedy text or the nearest bank sentence reaches this fidelity (0–1); 'off' always samples [measured on the validation split]."
  ) var decodeEnough: String?
  @Option(
    help:
      "Correction rounds of a committed decode: 0–4 greedy rounds at α 0.25, 'measured' (2 rounds) or 'off' [off]."
  ) var decodeCorrection: String?
  @Option(help: "Axis-pack folder; repeatable [AxisPacks].") var axisPacks: [String] = []
  @Option(
    help:
      "Plugin folder: native *.so and WebAssembly *.wasm with their manifests; repeatable (built-in plugins always load)."
  )
  var plugins: [String] = []
  @Option(
    help:
      "Which plugins each role may run, e.g. 'owner=*; editor=builtin-ops,wasm:*' (entries: plugin names, native:*, wasm:*, *; roles not named run none) [every role runs every plugin]."
  )
  var pluginPolicy: String?
  @Option(help: "Fuel (about one unit per instruction) of one WebAssembly plugin call [500000000].")
  var wasmFuel: String?
  @Option(help: "Linear memory of a WebAssembly plugin, in 64 KiB pages [256].")
  var wasmMemoryPages: String?

  /// Flags > LATITUDE_* environment > config file > defaults.
  func settings() throws -> ServeSettings {
    try ServeSettings(
      flags: [
        "host": host, "port": port, "db": db, "node-name": nodeName, "lease-ms": leaseMs,
        "max-message-bytes": maxMessageBytes,
        "weights": weights, "encoder": noEncoder ? "off" : nil, "secret": secret,
        "frames-per-second": framesPerSecond, "frame-burst": frameBurst,
        "decoder": noDecoder ? "off" : decoder, "bank": bank, "features": features,
        "known-words": knownWords, "fluency": fluency, "fluency-weight": fluencyWeight,
        "intent-margin": intentMargin,
        "decode-workers": decodeWorkers,
        "decode-candidates": decodeCandidates, "busy-candidates": busyCandidates,
        "busy-batch": busyBatch, "busy-intent-candidates": busyIntentCandidates,
        "decode-enough": decodeEnough,
        "decode-correction": decodeCorrection,
        "axis-packs": axisPacks.isEmpty ? nil : axisPacks.joined(separator: ","),
        "plugins": plugins.isEmpty ? nil : plugins.joined(separator: ","),
        "plugin-policy": pluginPolicy, "wasm-fuel": wasmFuel,
        "wasm-memory-pages": wasmMemoryPages,
      ], file: config)
  }

  func run() throws {
    let settings = try settings()
    let host = settings.string("host")
    let secret = settings.string("secret").isEmpty ? nil : settings.string("secret")
    // Without token auth, every client could write every document: stay on loopback
    // (put a reverse proxy with its own auth in front to serve others).
    guard secret != nil || ["127.0.0.1", "localhost", "::1"].contains(host) else {
      throw CLIError(
        "host \(host): without an auth secret (--secret or LATITUDE_SECRET) Latitude binds loopback only"
      )
    }
    if let secret, secret.utf8.count < 16 {
      throw CLIError("the auth secret must be at least 16 bytes")
    }
    let port = try settings.int("port")
    let maxMessageBytes = try settings.int("max-message-bytes")
    let framesPerSecond = try settings.double("frames-per-second")
    let frameBurst = try settings.double("frame-burst")
    let workers = try settings.int("decode-workers")
    let candidates = try settings.int("decode-candidates")
    guard (0...65535).contains(port), maxMessageBytes >= 1024, framesPerSecond > 0, frameBurst >= 1
    else {
      throw CLIError(
        "port must be 0–65535, max-message-bytes ≥ 1024, frames-per-second > 0, frame-burst ≥ 1")
    }
    guard (0...64).contains(workers), (1...64).contains(candidates) else {
      throw CLIError("decode-workers must be 0–64 (0: cores − 1) and decode-candidates 1–64")
    }
    BLAS.useOneThreadPerCall()
    let logger = Logger(label: "latitude.server")
    var configuration = LatitudeServer.Configuration(
      transport: .init(host: host, port: port, maxMessageBytes: maxMessageBytes),
      databasePath: settings.string("db"),
      encoderDirectory: settings.string("encoder") == "off" ? nil : settings.string("weights"))
    let leaseMs = try settings.int("lease-ms")
    guard (200...600_000).contains(leaseMs) else {
      throw CLIError("lease-ms must be 200–600000")
    }
    configuration.store.leaseMilliseconds = leaseMs
    let nodeName = settings.string("node-name")
    configuration.store.nodeName =
      nodeName.isEmpty ? "\(ProcessInfo.processInfo.hostName):\(port)" : nodeName
    configuration.framesPerSecond = framesPerSecond
    configuration.frameBurst = frameBurst
    configuration.secret = secret
    let decoderSetting = settings.string("decoder")
    configuration.decoderDirectory = decoderSetting == "off" ? nil : decoderSetting
    configuration.bankPath = settings.string("bank") == "off" ? nil : settings.string("bank")
    configuration.knownWordsPath =
      settings.string("known-words") == "off" ? nil : settings.string("known-words")
    configuration.fluencyPath =
      settings.string("fluency") == "off" ? nil : settings.string("fluency")
    configuration.fluencyWeight = try Self.measuredOrUnit(
      settings, "fluency-weight", measured: FluencyRanking.measuredWeight)
    configuration.intentMargin = try Self.measuredOrUnit(
      settings, "intent-margin", measured: DecodeIntent.margin)
    configuration.featuresDirectory =
      settings.string("features") == "off" ? nil : settings.string("features")
    if workers > 0 { configuration.decodeWorkers = workers }
    configuration.decodeCandidates = candidates
    let busyBatch = settings.string("busy-batch")
    guard let batch = Int(busyBatch), (1...64).contains(batch) else {
      throw CLIError("busy-batch must be 1–64, not '\(busyBatch)'")
    }
    let busyIntent = settings.string("busy-intent-candidates")
    guard let intentCandidates = Int(busyIntent), (0...8).contains(intentCandidates) else {
      throw CLIError("busy-intent-candidates must be 0–8, not '\(busyIntent)'")
    }
    switch settings.string("busy-candidates") {
    case "off": configuration.busyEffort = .off
    case let value:
      guard let busy = Int(value), (1...64).contains(busy) else {
        throw CLIError("busy-candidates must be 1–64 or 'off', not '\(value)'")
      }
      configuration.busyEffort = BusyEffort(
        candidates: busy, batchLimit: batch, intentCandidates: intentCandidates)
    }
    switch settings.string("decode-enough") {
    case "measured": configuration.decodeEnough = DecodeEffort.measuredEnough
    case "off": configuration.decodeEnough = nil
    case let value:
      guard let enough = Float(value), (0...1).contains(enough) else {
        throw CLIError(
          "decode-enough must be a fidelity in 0–1, 'off' or 'measured', not '\(value)'")
      }
      configuration.decodeEnough = enough
    }
    configuration.decodeCorrection = try Self.correction(settings.string("decode-correction"))
    configuration.pluginDirectories = settings.string("plugins").split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespaces)
    }.filter { !$0.isEmpty }
    let fuel = try settings.int("wasm-fuel")
    let pages = try settings.int("wasm-memory-pages")
    guard fuel >= 10_000, (1...65_536).contains(pages) else {
      throw CLIError("wasm-fuel must be ≥ 10000 and wasm-memory-pages 1–65536")
    }
    configuration.wasmLimits = WasmLimits(memoryPages: pages, fuel: UInt64(fuel))
    if !settings.string("plugin-policy").isEmpty {
      do {
        configuration.pluginPolicy = try PluginPolicy(parsing: settings.string("plugin-policy"))
      } catch {
        throw CLIError(error.description)
      }
    }
    configuration.axisPackDirectories = settings.string("axis-packs").split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespaces)
    }.filter { !$0.isEmpty }
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

  /// A setting that is 'measured' (the validation split's `measured`) or a number in 0–1
  /// (`fluency-weight`, `intent-margin`).
  static func measuredOrUnit(_ settings: ServeSettings, _ key: String, measured: Float) throws
    -> Float
  {
    let value = settings.string(key)
    if value == "measured" { return measured }
    guard let number = Float(value), (0...1).contains(number) else {
      throw CLIError("\(key) must be a number in 0–1 or 'measured', not '\(value)'")
    }
    return number
  }

  /// The correction policy of a `decode-correction` setting: 'measured', 'off' or a
  /// number of rounds (each of the measured policy's size and strength).
  static func correction(_ value: String) throws -> DecodeCorrection {
    switch value {
    case "measured": return .measured
    case "off": return .off
    default:
      guard let steps = Int(value), (0...4).contains(steps) else {
        throw CLIError(
          "decode-correction must be 0–4 rounds, 'off' or 'measured', not '\(value)'")
      }
      var policy = DecodeCorrection.measured
      policy.steps = steps
      return policy
    }
  }
}
