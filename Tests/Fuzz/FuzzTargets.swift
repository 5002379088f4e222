import Canvas
import Foundation
import Latent
import Logging
import PluginHost

@testable import CanvasServer
@testable import CanvasStore

/// The fuzz targets of `make fuzz`, one per untrusted input that crosses into the server.
/// `LATITUDE_FUZZ_TARGET` picks one: frame, fold, plugin, http or ndjson.
enum FuzzTargets {
  static let logger: Logger = {
    var logger = Logger(label: "fuzz")
    logger.logLevel = .critical
    return logger
  }()

  static let folder: String = {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("latitude-fuzz-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  /// A server with a real store, no models, no rate limit, and one session that said hello
  /// and joined: frames are handled exactly as they are from a WebSocket.
  static let server: LatitudeServer = {
    var configuration = LatitudeServer.Configuration(
      transport: .init(host: "127.0.0.1", port: 0), databasePath: folder + "/fuzz.sqlite",
      encoderDirectory: nil)
    configuration.decoderDirectory = nil
    configuration.bankPath = nil
    configuration.axisPackDirectories = []
    configuration.framesPerSecond = 1e12
    configuration.frameBurst = 1e12
    let server = required("the fuzz server") {
      try LatitudeServer(configuration: configuration, logger: logger)
    }
    server.connected(1, path: "/v1/docs/fuzz", token: nil)
    server.received(1, message: Data(#"{"t":"hello","replica":"rf","protocol":1}"#.utf8))
    server.received(1, message: Data(#"{"t":"join"}"#.utf8))
    // The room opens on its own queue: wait until the session is attached, so every fuzz
    // input is handled on the fuzzer's thread instead of queueing behind the opening.
    while true {
      server.lock.lock()
      let opening = server.sessions[1]?.pending != nil
      server.lock.unlock()
      if !opening { break }
      usleep(1000)
    }
    return server
  }()

  /// The built-in plugins: beside the executable, or in `LATITUDE_FUZZ_PLUGINS` (the fuzz
  /// build links only this executable, so `make fuzz` points it at the debug build's).
  static let plugins: PluginRegistry = {
    let folders = (ProcessInfo.processInfo.environment["LATITUDE_FUZZ_PLUGINS"] ?? "")
      .split(separator: ":").map(String.init)
    let registry = PluginRegistry(directories: folders, encoder: nil, logger: logger)
    guard registry.operation("move-along-axes") != nil else {
      fatalError("the built-in plugins did not load; set LATITUDE_FUZZ_PLUGINS to their folder")
    }
    return registry
  }()
  /// The built-in operations built as WebAssembly (builtin-ops.wasm in
  /// `LATITUDE_FUZZ_WASM`, which scripts/fuzz.sh builds): the sandbox's host side — every
  /// copy into and out of linear memory, every host function — under the fuzzer.
  static let wasmPlugins: PluginRegistry = {
    let folder = ProcessInfo.processInfo.environment["LATITUDE_FUZZ_WASM"] ?? ""
    let registry = PluginRegistry(
      directories: [folder], encoder: nil, wasmLimits: WasmLimits(fuel: 50_000_000),
      builtins: false, logger: logger)
    guard registry.plugins.first?.runtime == .webAssembly else {
      fatalError("builtin-ops.wasm did not load; set LATITUDE_FUZZ_WASM to its folder")
    }
    return registry
  }()
  static let store = required("the import store") {
    try CanvasStore(path: folder + "/import.sqlite", logger: logger)
  }

  /// A fixture every input needs: a failure to make it stops the run with its reason.
  static func required<T>(_ what: String, _ make: () throws -> T) -> T {
    do { return try make() } catch { fatalError("cannot make \(what): \(error)") }
  }
  nonisolated(unsafe) static var state = DocumentState()
  nonisolated(unsafe) static var imports = 0

  static func run(_ target: String, _ data: Data) {
    switch target {
    case "frame": frame(data)
    case "fold": fold(data)
    case "plugin": plugin(data, plugins)
    case "wasm": plugin(data, wasmPlugins)
    case "http": http(data)
    case "ndjson": ndjson(data)
    default: fatalError("LATITUDE_FUZZ_TARGET must be frame, fold, plugin, wasm, http or ndjson")
    }
  }

  /// A client frame through decoding, validation and the room (resolve, commit, fold).
  static func frame(_ data: Data) {
    serverUsed = true
    server.received(1, message: data)
    server.transport.drainInbox()
  }

  /// Whether an input reached the server, so `finish` has work to wait for.
  nonisolated(unsafe) static var serverUsed = false

  /// Waits until what the inputs started on the server's other threads (commits, the
  /// room's queue, history pages) is done, as `latitude serve` does before it exits. A
  /// replay that returned while a room was still streaming a join crashed in CI: exit
  /// handlers tore OpenBLAS down under the room's thread, which was computing a node's
  /// coordinates.
  static func finish() {
    guard serverUsed else { return }
    server.stop()
  }

  /// An op (JSON, or the stored binary form) through validation and the fold.
  static func fold(_ data: Data) {
    if let op = try? JSONDecoder().decode(Op.self, from: data) {
      if (try? OpValidator().validateContent(op)) != nil { state.apply(op) }
    }
    if let kind = data.first.flatMap({ OpKind.allCases[Int($0) % OpKind.allCases.count] }) {
      data.dropFirst().withUnsafeBytes { bytes in
        if let payload = try? OpCodec.decode(kind, bytes) {
          let op = Op(id: OpID(lamport: 1, replica: "rf"), actor: "fuzz", payload: payload)
          if (try? OpValidator().validateContent(op)) != nil { state.apply(op) }
        }
      }
    }
    if state.nodes.count > 500 { state = DocumentState() }
  }

  /// op.apply through the plugin host with the built-in plugins (native, or WebAssembly):
  /// byte 0 picks the operation, byte 1 the number of inputs, byte 2 the number of axes, the
  /// rest is params.
  static func plugin(_ data: Data, _ plugins: PluginRegistry) {
    guard data.count >= 3 else { return }
    let operations = plugins.plugins.flatMap(\.operations).map(\.name)
    guard !operations.isEmpty else { return }
    let name = operations[Int(data[data.startIndex]) % operations.count]
    let inputs = (0..<Int(data[data.startIndex + 1]) % 80).map { unit(seed: $0) }
    let axes = (0..<Int(data[data.startIndex + 2]) % 4).map {
      OperationAxis(
        id: ["a", "b", "c", "d"][$0], direction: unit(seed: 1000 + $0), negativeMean: -0.3,
        positiveMean: 0.3)
    }
    let params =
      (try? JSONDecoder().decode(JSONValue.self, from: data.dropFirst(3))) ?? .object([:])
    _ = try? plugins.run(name, inputs: inputs, params: params, axes: axes)
  }

  /// An HTTP request line ("METHOD /path?query") and body (after the first newline)
  /// through the router, as the transport would hand it over.
  static func http(_ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    let (line, body) = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
      .reduce(into: (String(), String())) { result, part in
        if result.0.isEmpty { result.0 = String(part) } else { result.1 = String(part) }
      }
    let words = line.split(separator: " ", maxSplits: 1)
    let method = words.first.map(String.init) ?? "GET"
    let target = words.count > 1 ? String(words[1]) : "/"
    let pieces = target.split(separator: "?", maxSplits: 1)
    var parameters: [String: String] = [:]
    if pieces.count > 1 {
      for argument in pieces[1].split(separator: "&") {
        let pair = argument.split(separator: "=", maxSplits: 1)
        if let key = pair.first { parameters[String(key)] = pair.count > 1 ? String(pair[1]) : "" }
      }
    }
    let request = HTTPRequest(
      method: method, path: pieces.first.map(String.init) ?? "/", parameters: parameters,
      body: Data(body.utf8))
    _ = server.route(request)
  }

  /// An NDJSON export through the importer.
  static func ndjson(_ data: Data) {
    imports += 1
    let text = String(decoding: data, as: UTF8.self)
    _ = try? store.importNDJSON(
      lines: text.split(separator: "\n", omittingEmptySubsequences: false),
      as: DocumentID("import-\(imports)"))
  }

  static func unit(seed: Int) -> [Float] {
    var state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 | 1
    return LatentGeometry.normalized(
      (0..<384).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Float(Int64(bitPattern: state) % 1000) / 1000
      })
  }
}
