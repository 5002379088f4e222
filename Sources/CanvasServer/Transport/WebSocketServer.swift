import CLibWebSockets
import Foundation
import Latent
import Logging
import Synchronization

/// Errors starting the transport.
public enum TransportError: Error, CustomStringConvertible {
  /// libwebsockets could not create its context (port in use, bad interface, ...).
  case cannotListen(host: String, port: Int)
  /// The configured host name has no address.
  case cannotResolve(host: String)

  public var description: String {
    switch self {
    case .cannotListen(let host, let port): "cannot listen on \(host):\(port) (is the port in use?)"
    case .cannotResolve(let host): "cannot listen on \(host): the name has no address"
    }
  }
}

/// The libwebsockets transport: one service thread does every `lws_*` call. Other threads
/// hand it work through a locked inbox and `lws_cancel_service` (see ../shared/NATIVE.md).
/// Serves WebSocket connections and small HTTP responses on the same port.
// @unchecked: lws pointers are used only on the service thread; others use the locked inbox.
public final class WebSocketServer: @unchecked Sendable {
  /// Transport settings.
  public struct Configuration: Sendable {
    /// Interface to bind; nil for all.
    public var host: String?
    /// TCP port (0 picks a free one).
    public var port: Int
    /// Largest incoming message; bigger ones close the connection with 1009.
    public var maxMessageBytes: Int
    /// Most bytes queued for one connection before it is closed with 1008.
    public var maxQueuedBytes: Int
    /// Most bytes of bulk frames (join snapshots) queued for one connection, on top of
    /// `maxQueuedBytes`. Default 256 MiB.
    public var maxBulkBytes: Int = 256 << 20

    /// Makes transport settings; every argument has a working default.
    public init(
      host: String? = nil, port: Int = 8080, maxMessageBytes: Int = 1 << 20,
      maxQueuedBytes: Int = 8 << 20
    ) {
      self.host = host
      self.port = port
      self.maxMessageBytes = maxMessageBytes
      self.maxQueuedBytes = maxQueuedBytes
    }
  }

  let configuration: Configuration
  let logger: Logger
  weak var delegate: (any TransportDelegate)?

  // Service-thread state.
  var context: OpaquePointer?
  var connections: [ConnectionID: Connection] = [:]
  var httpExchanges: [OpaquePointer: HTTPExchange] = [:]
  var httpTickets: [Int: OpaquePointer] = [:]
  private var nextID = 1
  private var nextTicket = 1
  /// Vhost names and interfaces handed to lws, which keeps the pointers.
  private var vhostStrings: [UnsafeMutablePointer<CChar>] = []
  private var protocols: UnsafeMutablePointer<lws_protocols>?
  private var thread: Thread?
  /// Set once by the service thread before it services anything.
  private let serviceThreadID = Atomic<UInt>(0)

  // Cross-thread state.
  private let inboxLock = NSLock()
  private var inbox: [(ConnectionID, Outgoing)] = []
  private var stopRequested = false
  private let stopped = DispatchSemaphore(value: 0)
  /// Bytes waiting in connection send queues, as of the last inbox drain.
  public var queuedBytes: Int { queuedBytesGauge.load(ordering: .relaxed) }
  private let queuedBytesGauge = Atomic<Int>(0)
  /// The port actually bound.
  public private(set) var boundPort = 0

  /// Makes a transport; `start` binds it.
  public init(configuration: Configuration, logger: Logger) {
    self.configuration = configuration
    self.logger = logger
  }

  /// Binds and starts the service thread.
  /// - Throws: `TransportError.cannotListen`.
  public func start(delegate: any TransportDelegate) throws {
    self.delegate = delegate
    lws_set_log_level(LLL_ERR | LLL_WARN, nil)
    let protocols = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 2)
    protocols.initialize(repeating: lws_protocols(), count: 2)
    protocols[0].name = UnsafePointer(strdup("latitude-v1"))
    protocols[0].callback = latitudeLWSCallback
    protocols[0].per_session_data_size = MemoryLayout<Int>.size
    protocols[0].rx_buffer_size = 64 * 1024
    self.protocols = protocols
    // Keepalive: ping a peer idle for 30 s, drop it after 60 s without a valid frame.
    let retry = UnsafeMutablePointer<lws_retry_bo_t>.allocate(capacity: 1)
    retry.initialize(to: lws_retry_bo_t())
    retry.pointee.secs_since_valid_ping = 30
    retry.pointee.secs_since_valid_hangup = 60

    var info = lws_context_creation_info()
    info.port = Int32(CONTEXT_PORT_NO_LISTEN)
    info.protocols = UnsafePointer(protocols)
    info.user = Unmanaged.passUnretained(self).toOpaque()
    info.retry_and_idle_policy = UnsafePointer(retry)
    info.options = UInt64(LWS_SERVER_OPTION_EXPLICIT_VHOSTS)
    let shownHost = configuration.host ?? "*"
    guard let context = lws_create_context(&info) else {
      throw TransportError.cannotListen(host: shownHost, port: configuration.port)
    }
    self.context = context
    // One vhost (one listening socket) per address: "localhost" is 127.0.0.1 and ::1,
    // an IPv4 address listens on IPv4 only, an IPv6 one on IPv6 only; no host, every
    // interface. The first vhost picks the port when it is 0; the others reuse it.
    var port = configuration.port
    for (index, address) in try ListenAddress.resolve(configuration.host).enumerated() {
      var vhost = info
      vhost.port = Int32(port)
      // lws keeps these pointers in the vhost: they live as long as the server (ASan found
      // the interface name read after it was freed).
      let name = strdup(index == 0 ? "default" : "listen-\(index)")
      let iface: UnsafeMutablePointer<CChar>? = address.interface.flatMap { strdup($0) }
      vhostStrings += [name, iface].compactMap { $0 }
      vhost.vhost_name = UnsafePointer(name)
      vhost.iface = iface.map { UnsafePointer($0) }
      vhost.options = address.options
      guard let created = lws_create_vhost(context, &vhost) else {
        lws_context_destroy(context)
        self.context = nil
        throw TransportError.cannotListen(host: address.interface ?? shownHost, port: port)
      }
      if index == 0 { port = Int(lws_get_vhost_listen_port(created)) }
    }
    boundPort = port
    let thread = Thread { [self] in serviceLoop() }
    thread.name = "latitude.lws"
    self.thread = thread
    thread.start()
  }

  /// Queues a text message for a connection (any thread). A `bulk` message (a join's
  /// snapshot) is allowed past `maxQueuedBytes`, up to `maxBulkBytes`, and does not count
  /// against the limit for the live frames queued behind it.
  public func send(_ message: Data, to id: ConnectionID, bulk: Bool = false) {
    post(id, .message(OutgoingFrame(message, headroom: Int(latitude_lws_pre), bulk: bulk)))
  }

  /// Closes a connection after its queued messages (any thread).
  public func close(_ id: ConnectionID, code: UInt16, reason: String) {
    post(id, .close(code: code, reason: reason))
  }

  /// Sends close 1001 to every connection after the frames already queued for it, waits
  /// for them to go (up to `deadline`), then destroys the context.
  public func stop(deadline: Duration = .seconds(3)) {
    inboxLock.lock()
    let already = stopRequested
    stopRequested = true
    inboxLock.unlock()
    guard !already, let context else { return }
    lws_cancel_service(context)
    _ = stopped.wait(timeout: .now() + deadline.seconds)
  }

  /// Queues the same message for several connections with one wake-up. Frames with a
  /// `coalesceKey` replace a still-queued frame with the same key.
  public func send(_ message: Data, to ids: [ConnectionID], coalesceKey: String? = nil) {
    guard !ids.isEmpty else { return }
    let frame = OutgoingFrame(message, headroom: Int(latitude_lws_pre), coalesceKey: coalesceKey)
    if isServiceThread {
      // Already on the service thread (a relayed drag): queue directly, no wake-up needed.
      deliver(ids.map { ($0, Outgoing.message(frame)) })
      return
    }
    inboxLock.lock()
    let wasEmpty = inbox.isEmpty
    for id in ids { inbox.append((id, .message(frame))) }
    inboxLock.unlock()
    if wasEmpty, let context { lws_cancel_service(context) }
  }

  /// Wakes the service thread only when the inbox was empty: a wake-up already pending
  /// will drain whatever is added before it runs.
  func post(_ id: ConnectionID, _ item: Outgoing) {
    inboxLock.lock()
    let wasEmpty = inbox.isEmpty
    inbox.append((id, item))
    inboxLock.unlock()
    if wasEmpty, let context { lws_cancel_service(context) }
  }

  private func serviceLoop() {
    guard let context else { return }
    serviceThreadID.store(pthread_self(), ordering: .releasing)
    ServiceThread.markCurrent()
    var closingAll = false
    var deadline = ContinuousClock.now
    while true {
      lws_service(context, 0)
      inboxLock.lock()
      let stopping = stopRequested
      inboxLock.unlock()
      if stopping && !closingAll {
        closingAll = true
        deadline = .now + .seconds(2)
        // Frames queued before the stop (the acks of the last commits) go out ahead of the
        // close: a connection that is closing refuses new frames, so take them in first.
        drainInbox()
        for connection in connections.values {
          connection.closing = (UInt16(LWS_CLOSE_STATUS_GOINGAWAY.rawValue), "server shutting down")
          lws_callback_on_writable(connection.wsi)
        }
      }
      if closingAll && (connections.isEmpty || ContinuousClock.now > deadline) { break }
    }
    lws_context_destroy(context)
    self.context = nil
    for string in vhostStrings { free(string) }
    vhostStrings.removeAll()
    stopped.signal()
  }

  // MARK: Service-thread handlers (called from the C callback).

  /// Bytes queued for all connections (service thread; published for /metrics).
  var totalQueuedBytes: Int { connections.values.reduce(0) { $0 + $1.queuedBytes } }

  /// True on the libwebsockets service thread.
  var isServiceThread: Bool { pthread_self() == serviceThreadID.load(ordering: .acquiring) }

  func drainInbox() {
    inboxLock.lock()
    let items = inbox
    inbox.removeAll()
    inboxLock.unlock()
    deliver(items)
  }

  /// Queues frames on their connections and asks for writable callbacks (service thread).
  private func deliver(_ items: [(ConnectionID, Outgoing)]) {
    for (id, item) in items {
      if case .http(let response) = item {
        answerHTTP(ticket: id, response)
        continue
      }
      guard let connection = connections[id] else { continue }
      switch item {
      case .message(let frame):
        guard connection.closing == nil else { continue }
        let overLimit =
          frame.bulk
          ? connection.bulkBytes + frame.count > configuration.maxBulkBytes
          : connection.queuedBytes - connection.bulkBytes + frame.count
            > configuration.maxQueuedBytes
        if overLimit {
          logger.warning("closing slow consumer", metadata: ["connection": "\(id)"])
          connection.queue.removeAll()
          connection.queuedBytes = 0
          connection.bulkBytes = 0
          connection.closing = (
            UInt16(LWS_CLOSE_STATUS_POLICY_VIOLATION.rawValue), "too slow; reconnect and resync"
          )
        } else if let key = frame.coalesceKey,
          let index = connection.queue.lastIndex(where: { $0.coalesceKey == key })
        {
          connection.queuedBytes += frame.count - connection.queue[index].count
          connection.queue[index] = frame
        } else {
          connection.queue.append(frame)
          connection.queuedBytes += frame.count
          if frame.bulk { connection.bulkBytes += frame.count }
        }
      case .close(let code, let reason):
        connection.closing = (code, reason)
      case .http:
        break
      }
      lws_callback_on_writable(connection.wsi)
    }
    queuedBytesGauge.store(totalQueuedBytes, ordering: .relaxed)
  }

  /// A ticket for an HTTP exchange (service thread).
  func nextHTTPTicket() -> Int {
    defer { nextTicket += 1 }
    return nextTicket
  }

  /// Closes a connection that sent a binary frame with 1003 (unsupported data).
  func refuseBinary(_ id: ConnectionID) -> Int32 {
    guard let connection = connections[id] else { return -1 }
    Self.setCloseReason(
      connection.wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
      "protocol v1 takes JSON text frames only")
    return -1
  }

  /// Sets the close code and reason lws sends when the callback then returns -1.
  static func setCloseReason(_ wsi: OpaquePointer, _ status: lws_close_status, _ reason: String) {
    var bytes = Array(reason.utf8.prefix(120))
    lws_close_reason(wsi, status, &bytes, bytes.count)
  }

  func accept(_ wsi: OpaquePointer) -> ConnectionID {
    let id = nextID
    nextID += 1
    let request = upgradeRequest(wsi)
    connections[id] = Connection(id: id, wsi: wsi, path: request.path)
    delegate?.connected(id, path: request.path, token: request.token)
    return id
  }

  /// Appends a fragment; returns false when the message is over the limit (closed 1009).
  func receive(_ id: ConnectionID, _ bytes: UnsafeRawBufferPointer, final: Bool) -> Bool {
    guard let connection = connections[id] else { return true }
    if connection.incoming.count + bytes.count > configuration.maxMessageBytes {
      Self.setCloseReason(
        connection.wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
        "message over \(configuration.maxMessageBytes) bytes")
      return false
    }
    connection.incoming.append(contentsOf: bytes)
    if final {
      let message = connection.incoming
      connection.incoming = Data()
      delegate?.received(id, message: message)
    }
    return true
  }

  /// Writes queued messages while the pipe is not choked; returns false to close.
  func writable(_ id: ConnectionID) -> Bool {
    guard let connection = connections[id] else { return true }
    let pre = Int(latitude_lws_pre)
    var written = 0
    while written < connection.queue.count && lws_send_pipe_choked(connection.wsi) == 0 {
      let frame = connection.queue[written]
      written += 1
      connection.queuedBytes -= frame.count
      if frame.bulk { connection.bulkBytes -= frame.count }
      let sent = lws_write(
        connection.wsi, frame.storage.baseAddress!.assumingMemoryBound(to: UInt8.self) + pre,
        frame.count, LWS_WRITE_TEXT)
      if sent < frame.count {
        connection.queue.removeFirst(written)
        return false
      }
    }
    connection.queue.removeFirst(written)
    if !connection.queue.isEmpty {
      lws_callback_on_writable(connection.wsi)
      return true
    }
    if let closing = connection.closing {
      Self.setCloseReason(
        connection.wsi, lws_close_status(rawValue: UInt32(closing.code)), closing.reason)
      return false
    }
    return true
  }

  func closed(_ id: ConnectionID) {
    guard connections.removeValue(forKey: id) != nil else { return }
    delegate?.disconnected(id)
  }
}
