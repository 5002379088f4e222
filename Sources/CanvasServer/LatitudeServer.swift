import Canvas
import CanvasStore
import Foundation
import Latent
import Logging
import PluginHost
import Synchronization

/// The collaboration server: the libwebsockets transport, one room per open document, the
/// group-committed op log, and the encoder. WebSocket clients connect to
/// `/v1/docs/{docId}`; `/healthz` answers on the same port.
// @unchecked: `sessions` and `rooms` are used only under `lock`; the rest is immutable.
public final class LatitudeServer: TransportDelegate, FrameSink, @unchecked Sendable {
  /// Server settings; every field has a working default.
  public struct Configuration: Sendable {
    /// Transport settings (host, port, message and queue limits).
    public var transport: WebSocketServer.Configuration
    /// The op log: a SQLite file path, or a `postgres://` URL (clusters).
    public var databasePath: String
    /// Lease time and node name, used on PostgreSQL only.
    public var store = StoreConfiguration()
    /// Encoder weights; nil runs without one (typed texts are then refused).
    public var encoderDirectory: String?
    /// Frames a connection may send per second, sustained (drags at 30/s plus ops fit
    /// easily). Default 120.
    public var framesPerSecond: Double = 120
    /// Frames a connection may send in a burst. Default 240.
    public var frameBurst: Double = 240
    /// How long an empty room stays loaded. Default 30 s.
    public var roomIdleTimeout: Duration = .seconds(30)
    /// HMAC secret for access tokens; nil accepts everyone as an editor (loopback only).
    public var secret: String?
    /// Decoder folder; nil (or no encoder) runs without re-decodes: moved nodes keep
    /// their last text.
    public var decoderDirectory: String? = TextDecoder.defaultDirectory
    /// Sentence bank offered as decode candidates; nil decodes with generation only.
    public var bankPath: String? = SentenceBank.defaultPath
    /// The words generated text may contain; nil lets the decoder spell freely.
    public var knownWordsPath: String? = KnownWords.defaultPath
    /// The fluency model weighed in decode ranking; nil ranks by cosine alone.
    public var fluencyPath: String? = FluencyModel.defaultPath
    /// Cosine per unit of fluency score in decode ranking.
    public var fluencyWeight = FluencyRanking.measuredWeight
    /// How much decode ranking favours a text that does what its edit asked (an axis
    /// moved, a feature on), in cosine units; 0 ranks by closeness alone.
    public var intentMargin = DecodeIntent.margin
    /// Decode worker threads. Default: cores − 1, at least 1.
    public var decodeWorkers: Int = DecodeScheduler.defaultWorkers
    /// Generated candidates per committed decode (re-ranked with the bank's). Default 8.
    public var decodeCandidates: Int = 8
    /// What a committed decode gets while others wait behind it. Default: 3 candidates,
    /// two jobs at a time (`BusyEffort.measured`).
    public var busyEffort = BusyEffort.measured
    /// Plugin folders: native `*.so` and WebAssembly `*.wasm` with their manifests (the
    /// built-in plugins beside the executable always load).
    public var pluginDirectories: [String] = []
    /// The sandbox limits of WebAssembly plugins.
    public var wasmLimits = WasmLimits()
    /// Which plugins each role may run.
    public var pluginPolicy = PluginPolicy.unrestricted
    /// Axis-pack folders. Default: the built-in pack's folder.
    public var axisPackDirectories: [String] = [AxisRegistry.defaultDirectory]
    /// Generated candidates per drag preview. Default 1 (greedy).
    public var previewCandidates: Int = 1
    /// A committed decode stops before sampling when its greedy text or nearest bank
    /// sentence reaches this fidelity (nil: always sample). Default: measured on the
    /// validation split (`DecodeEffort.measuredEnough`).
    public var decodeEnough: Float? = DecodeEffort.measuredEnough
    /// Correction rounds of a committed decode (previews never correct). Default: off.
    public var decodeCorrection = DecodeCorrection.off
    /// The sparse feature dictionary (feature readings, axes and steering); nil runs
    /// without one. A missing default folder is skipped with a notice.
    public var featuresDirectory: String? = FeatureDictionary.defaultDirectory

    /// Makes a configuration; every argument has a working default.
    public init(
      transport: WebSocketServer.Configuration = .init(),
      databasePath: String = "./data/latitude.sqlite",
      encoderDirectory: String? = SentenceEncoder.defaultDirectory
    ) {
      self.transport = transport
      self.databasePath = databasePath
      self.encoderDirectory = encoderDirectory
    }
  }

  struct Session {
    var document: DocumentID
    var replica: ReplicaID?
    var actor: String = "anonymous"
    var room: Room?
    var bucket: TokenBucket
    var role: Role = .editor
    /// The actor named by the access token, which overrides the hello's.
    var tokenActor: String?
    /// Frames that arrived while the room was being opened (nil when not opening one);
    /// they are handled, in order, once it is attached.
    var pending: [Data]?
  }

  /// The settings the server runs with.
  public let configuration: Configuration
  let logger: Logger
  let store: CanvasStore
  let committer: GroupCommitter
  let encoder: SentenceEncoder?
  let decodes: DecodeScheduler?
  let axes: AxisRegistry?
  /// The sparse feature dictionary; nil without one.
  let features: FeatureDictionary?
  let plugins: PluginRegistry
  let transport: WebSocketServer
  let metrics = ServerMetrics()
  let lock = NSLock()
  var rooms: [DocumentID: Room] = [:]
  /// Rooms are opened here, one at a time (so one document never gets two rooms), off
  /// the transport's service thread.
  let roomOpener = DispatchQueue(label: "latitude.rooms")
  /// REST requests that read the store, fold documents or encode run here, off the
  /// transport's service thread and below its priority.
  let httpQueue = WorkerPool(
    threads: max(2, ProcessInfo.processInfo.activeProcessorCount), niceness: 10,
    name: "latitude-http")
  /// REST requests in progress on `httpQueue`.
  let httpInFlight = Atomic<Int>(0)
  var sessions: [ConnectionID: Session] = [:]

  /// Opens the store and loads the encoder.
  /// - Throws: store or encoder errors, with messages that say what to run.
  public init(configuration: Configuration, logger: Logger) throws {
    self.configuration = configuration
    self.logger = logger
    let location = StoreLocation(configuration.databasePath)
    if case .sqlite(let path) = location {
      let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
    store = try CanvasStore(location: location, configuration: configuration.store, logger: logger)
    committer = GroupCommitter(store: store)
    encoder = try configuration.encoderDirectory.map { try SentenceEncoder(directory: $0) }
    if let encoder {
      logger.info(
        "encoder loaded",
        metadata: ["encoder": "\(encoder.name)", "kernel": "\(encoder.kernel.rawValue)"])
    }
    if let encoder, let directory = configuration.decoderDirectory {
      let textDecoder = try TextDecoder(
        directory: directory,
        knownWords: try configuration.knownWordsPath.map { try KnownWords(contentsOf: $0) },
        borrowsIdleCore: try IdleCoreBorrowing.fromEnvironment())
      logger.info(
        "decoder loaded",
        metadata: [
          "decoder": "\(textDecoder.name)", "kernel": "\(textDecoder.kernel.rawValue)",
          "borrows-idle-core": "\(textDecoder.borrowsIdleCore)",
        ])
      // Unless LATITUDE_ENCODER_KERNEL says otherwise, candidates are ranked on fp32 panels
      // where the CPU has them (a short pass; see `SentenceEncoder.withKernel`), while node
      // embeddings keep the kernel every map and fixture was made with.
      let ranking = try encoder.forRanking()
      logger.info("decode ranking encoder", metadata: ["kernel": "\(ranking.kernel.rawValue)"])
      let pipeline = try LatentDecoder(
        encoder: ranking,
        decoder: textDecoder,
        bank: try configuration.bankPath.map { try SentenceBank(contentsOf: $0) },
        fluency: try configuration.fluencyPath.map {
          FluencyRanking(
            model: try FluencyModel(contentsOf: $0), weight: configuration.fluencyWeight)
        })
      decodes = DecodeScheduler(
        decoder: pipeline, workers: configuration.decodeWorkers, busy: configuration.busyEffort,
        intentMargin: configuration.intentMargin, logger: logger)
    } else {
      decodes = nil
    }
    plugins = PluginRegistry(
      directories: configuration.pluginDirectories, encoder: encoder,
      wasmLimits: configuration.wasmLimits, logger: logger)
    axes = encoder.map {
      AxisRegistry(
        directories: configuration.axisPackDirectories, builder: AxisBuilder(encoder: $0),
        logger: logger)
    }
    features = try Self.loadFeatures(configuration.featuresDirectory, logger: logger)
    transport = WebSocketServer(configuration: configuration.transport, logger: logger)
  }

  /// The feature dictionary in `directory`: nil when none is configured or the default
  /// folder is absent; a folder that exists but cannot be read is an error.
  static func loadFeatures(_ directory: String?, logger: Logger) throws -> FeatureDictionary? {
    guard let directory else { return nil }
    guard FileManager.default.fileExists(atPath: directory + "/sae.safetensors") else {
      if directory != FeatureDictionary.defaultDirectory {
        throw FeatureError.unreadable("\(directory) has no sae.safetensors")
      }
      logger.notice("no feature dictionary at \(directory): features are off")
      return nil
    }
    return try FeatureDictionary(directory: directory)
  }

  /// The port actually bound (useful with port 0).
  public var port: Int { transport.boundPort }

  /// Starts listening.
  public func start() throws {
    startOwnership()
    try transport.start(delegate: self)
    logger.notice(
      "latitude listening",
      metadata: [
        "host": "\(configuration.transport.host ?? "*")", "port": "\(transport.boundPort)",
        "db": "\(store.path)",
        "decoder":
          "\(decodes.map { "\($0.decoder.name) on \($0.workers) workers" } ?? "off")",
      ])
    if configuration.secret == nil {
      logger.notice("no auth secret configured: listening on loopback only")
    }
  }

  /// Commits what is pending, sends every ack and broadcast that commit produced, then
  /// closes every connection with 1001 (after its queued frames) and flushes snapshots.
  /// An op that arrives during shutdown is nacked ("commit_failed"), never lost silently.
  public func stop() {
    decodes?.stop()
    committer.shutdown()
    lock.lock()
    let open = Array(rooms.values)
    lock.unlock()
    // Each room's commit completions run on its queue: once it drains, its acks are queued
    // on the transport ahead of the close.
    for room in open { room.queue.sync {} }
    // History pages those queues handed on are read and queued too; the process may exit
    // right after `stop`, and its exit handlers must not tear OpenBLAS down under them.
    Room.historyQueue.sync {}
    transport.stop()
    try? store.writePendingSnapshots()
    store.ownership?.shutdown()
    logger.notice("latitude stopped")
  }

  // MARK: FrameSink

  /// Queues a frame for one connection (any thread).
  public func send(_ frame: Data, to connection: ConnectionID) {
    transport.send(frame, to: connection)
  }

  /// Queues a join's snapshot, which may exceed the slow-consumer limit on its own.
  public func sendBulk(_ frame: Data, to connection: ConnectionID) {
    transport.send(frame, to: connection, bulk: true)
  }

  /// Queues a frame for several connections with one hand-off (any thread).
  public func send(_ frame: Data, to connections: [ConnectionID], coalesceKey: String?) {
    transport.send(frame, to: connections, coalesceKey: coalesceKey)
  }

  // MARK: TransportDelegate (service thread)

  /// Checks the access token of an upgrade request when a secret is configured.
  public func accepts(path: String, token: String?) -> Bool {
    guard let document = Self.document(in: path) else { return true }  // refused in connected()
    guard let secret = configuration.secret else { return true }
    do {
      _ = try AccessToken.verify(token ?? "", secret: secret, document: document.rawValue)
      return true
    } catch {
      logger.info("refused connection", metadata: ["doc": "\(document)", "reason": "\(error)"])
      return false
    }
  }

  /// Opens a session for `/v1/docs/{docId}`; other paths are closed with 1008.
  public func connected(_ id: ConnectionID, path: String, token: String?) {
    guard let document = Self.document(in: path) else {
      transport.send(ProtocolError.badPath.errorFrame.encoded(), to: id)
      transport.close(id, code: 1008, reason: "unknown path")
      return
    }
    var session = Session(
      document: document,
      bucket: TokenBucket(rate: configuration.framesPerSecond, burst: configuration.frameBurst))
    if let secret = configuration.secret {
      guard
        let grant = try? AccessToken.verify(
          token ?? "", secret: secret, document: document.rawValue)
      else {
        transport.close(id, code: 1008, reason: "invalid token")
        return
      }
      session.role = grant.role
      session.tokenActor = grant.sub
    } else {
      // No auth (loopback only): everyone who connects runs the server, and owns its documents.
      session.role = .owner
    }
    lock.lock()
    sessions[id] = session
    lock.unlock()
  }

  /// The document of a `/v1/docs/{docId}` path.
  static func document(in path: String) -> DocumentID? {
    let parts = path.split(separator: "/")
    guard parts.count == 3, parts[0] == "v1", parts[1] == "docs", isValidDocumentID(parts[2]) else {
      return nil
    }
    return DocumentID(String(parts[2]))
  }

  /// Handles one client frame: rate limit, then dispatch by type; bad input gets an error frame.
  public func received(_ id: ConnectionID, message: Data) {
    metrics.recordFrame()
    lock.lock()
    if let queued = sessions[id]?.pending?.count {
      let fits = queued < Self.maxPendingFrames
      if fits { sessions[id]?.pending?.append(message) }
      lock.unlock()
      if !fits {
        send(
          ProtocolError.busy("the document is still opening; frame dropped").errorFrame.encoded(),
          to: id)
      }
      return
    }
    lock.unlock()
    process(id, message: message)
  }

  /// Handles one frame of a session whose room is attached (or that has not said hello):
  /// decoded once into a `ClientMessage`, rate limited, then handled; a refusal is a nack
  /// for an op frame and an error frame otherwise.
  func process(_ id: ConnectionID, message: Data) {
    let decoded = ClientMessage.decode(message)
    lock.lock()
    let retry = sessions[id]?.bucket.take()
    let session = sessions[id]
    lock.unlock()
    guard let session else { return }
    if let retry {
      let refusal = ProtocolError.rateLimited(
        retryAfterMs: Int((retry.seconds * 1000).rounded(.up)))
      switch decoded {
      case .success(.op(let op)): send(refusal.nack(op.id).encoded(), to: id)
      case .failure(let failure) where failure.type == "op":
        send(refusal.nack(failure.opID).encoded(), to: id)
      default: break
      }
      return
    }
    switch decoded {
    case .success(let message):
      do throws(ProtocolError) {
        try handle(message, from: id, session: session)
      } catch {
        if case .op(let op) = message {
          send(error.nack(op.id).encoded(), to: id)
        } else {
          send(error.errorFrame.encoded(), to: id)
        }
      }
    case .failure(let failure):
      let refusal =
        failure.type != nil && failure.type != "hello" && session.room == nil
        ? .helloFirst : failure.error
      if failure.type == "op", session.room != nil {
        send(refusal.nack(failure.opID).encoded(), to: id)
      } else {
        send(refusal.errorFrame.encoded(), to: id)
      }
    }
  }

  /// Ends the session; its room may unload after the idle timeout.
  public func disconnected(_ id: ConnectionID) {
    lock.lock()
    let session = sessions.removeValue(forKey: id)
    lock.unlock()
    if let room = session?.room {
      room.remove(id)
      scheduleUnload(room)
    }
  }

  // MARK: Messages

  private func handle(_ message: ClientMessage, from id: ConnectionID, session: Session)
    throws(ProtocolError)
  {
    if case .hello(let hello) = message {
      try self.hello(hello, from: id, session: session)
      return
    }
    guard let room = session.room else { throw .helloFirst }
    switch message {
    case .hello:
      break
    case .join(let join):
      room.join(id, sinceSeq: join.sinceSeq)
    case .op(let op):
      guard session.role.canWrite else { throw .forbidden("viewers cannot edit") }
      room.submit(op, from: id)
    case .drag(let drag):
      guard session.role.canWrite else { throw .forbidden("viewers cannot drag") }
      try drag.validate()
      room.relay(
        ServerMessage.drag(
          .init(from: id, actor: session.actor, node: NodeID(drag.node), x: drag.x, y: drag.y)
        ).encoded(),
        from: id)
      room.preview(node: drag.node, x: drag.x, y: drag.y)
    case .presence(let presence):
      try presence.validate()
      room.updatePresence(
        .init(
          from: id, actor: session.actor, cursor: presence.cursor,
          selection: presence.selection, dragging: presence.dragging),
        from: id)
    case .history(let request):
      room.history(id, from: request.from, to: request.to)
    case .sweep(let sweep):
      try sweep.validate()
      room.sweep(sweep, for: id)
    case .features(let request):
      try request.validate()
      room.readFeatures(request, for: id)
    }
  }

  private func hello(_ hello: ClientMessage.Hello, from id: ConnectionID, session: Session)
    throws(ProtocolError)
  {
    guard session.room == nil, session.pending == nil else { throw .helloOnce }
    if let version = hello.protocol, version != ProtocolVersion.current {
      throw .protocolVersion(version)
    }
    let replica = ReplicaID(hello.replica ?? "r-" + UUID().uuidString.prefix(12).lowercased())
    let actor = session.tokenActor ?? hello.actor ?? "anonymous"
    let validator = OpValidator()
    do {
      try validator.checkID(replica.rawValue, field: "replica")
      try validator.checkID(actor, field: "actor")
    } catch {
      throw .invalidID("replica and actor must be 1–128 bytes without control characters")
    }
    // The server's own identity: a client that took it could forge server-authored ops.
    guard replica != RoomCore.serverReplica, actor != RoomCore.serverActor else {
      throw .reservedID
    }
    var updated = session
    updated.replica = replica
    updated.actor = actor
    updated.room = nil
    updated.pending = []
    lock.lock()
    guard sessions[id] != nil else {
      lock.unlock()
      return
    }
    sessions[id] = updated
    lock.unlock()
    // Opening a room reads the store and folds the document: off the service thread.
    roomOpener.async { [self] in attachRoom(to: id, replica: replica, actor: actor) }
  }

  /// Unloads a room that is still empty after the idle timeout; its state is in the store.
  func scheduleUnload(_ room: Room) {
    let timeout = configuration.roomIdleTimeout
    DispatchQueue.global().asyncAfter(
      deadline: .now() + timeout.seconds
    ) { [weak self] in
      guard let self, room.isEmpty else { return }
      lock.lock()
      let inUse = sessions.values.contains { $0.room === room }
      let unloaded = !inUse && rooms[room.id] === room
      if unloaded { rooms[room.id] = nil }
      lock.unlock()
      if unloaded {
        logger.debug("room unloaded", metadata: ["doc": "\(room.id)"])
        // Let another node take the document at once (PostgreSQL clusters); on the
        // opener's queue, so a room opening meanwhile keeps its fresh lease.
        if let ownership = store.ownership {
          roomOpener.async { [self] in
            lock.lock()
            let reopened = rooms[room.id] != nil
            lock.unlock()
            if !reopened { ownership.release(room.id) }
          }
        }
      }
    }
  }

  static func isValidDocumentID(_ id: Substring) -> Bool {
    !id.isEmpty && id.count <= 128
      && id.unicodeScalars.allSatisfy {
        CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)
      }
  }
}
