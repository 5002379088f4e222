import CommandSupport
import ArgumentParser
import Dispatch
import Foundation
import Latent

/// `latitude bench fanout`: a native load generator against a running `latitude serve`.
struct FanoutBenchmarkCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fanout",
    abstract: "Clients in one room send drags and moves; delivery rate, latencies, CPU and RSS.",
    discussion: "Run by `make bench-fanout`, which starts the server with rate limits lifted.")

  @Option(help: "Server port.") var port: Int
  @Option(help: "Server process id, for its CPU time and RSS.") var serverPid: Int32
  @Option(help: "Clients in the room.") var clients = 50
  @Option(help: "Drags per second per client in the latency phase.") var rate = 20
  @Option(help: "Seconds of each phase.") var seconds = 5.0
  @Option(help: "Idle connections for the RSS measurement.") var idle = 1000
  @Option(help: "Port of the pycrdt-websocket reference (latitude_tools.bench.yjs_reference).")
  var referencePort: Int?
  @Option(help: "Pre-generated Yjs update frames for the reference (yjs_reference.py updates).")
  var referenceUpdates: String?
  @Flag(
    help:
      "Measure the drag latency again while another client posts 256-text /v1/encode requests and reads /state of a large document (the server needs its encoder)."
  )
  var httpLoad = false
  @Option(help: "Nodes of the document whose /state the HTTP load reads.") var httpNodes = 10_000
  @Flag(
    help:
      "Only the latency phase (no idle RSS, saturation or reference): against a server with its decoder, every committed move is decoded, so this is the relay's latency while decodes are busy."
  )
  var latencyOnly = false

  func run() throws {
    raiseFileLimit(to: idle + clients + 64)
    let doc = "fanout-\(UInt32.random(in: 0...UInt32.max))"
    let path = "/v1/docs/\(doc)"
    let sessions = try (0..<clients).map { index -> WebSocketLoadClient in
      let client = try WebSocketLoadClient(port: port, path: path)
      try client.send(#"{"t":"hello","replica":"c\#(index)","actor":"load\#(index)","protocol":1}"#)
      try client.send(#"{"t":"join"}"#)
      return client
    }
    try drain(sessions, until: { $0.contains("\"joined\"") }, count: clients)
    try setUp(sessions)
    benchLog("\(clients) clients joined \(doc)")
    // The large document for the HTTP phase is made before any measurement.
    let large = httpLoad ? try seedLargeDocument(nodes: httpNodes) : nil

    if latencyOnly {
      let latency = try measureLatency(sessions)
      benchLog(
        "drag→peer p50 \(latency.dragP50) ms, p99 \(latency.dragP99) ms; op→peer p99 \(latency.opP99) ms"
      )
      writeOut(
        jsonLine([
          "clients": Double(clients), "drag_to_peer_p50_ms": latency.dragP50,
          "drag_to_peer_p99_ms": latency.dragP99, "op_to_peer_p99_ms": latency.opP99,
        ]))
      return
    }
    // Idle connections first, while the server's memory is still at its baseline.
    let rss = try measureIdle()
    benchLog("\(idle) idle connections: +\(rss) MB server RSS")
    let latency = try measureLatency(sessions)
    benchLog(
      "drag→peer p50 \(latency.dragP50) ms, p99 \(latency.dragP99) ms; op→peer p99 \(latency.opP99) ms"
    )
    var duringHTTP: (latency: Latency, requests: Int, failures: Int, meanMs: Double)?
    if httpLoad, let large {
      let load = HTTPLoad(port: port, document: large)
      load.start()
      let loaded = try measureLatency(sessions, lamportBase: 100_000)
      let http = load.stop()
      duringHTTP = (loaded, http.requests, http.failures, round3(http.meanMs))
      benchLog(
        "during HTTP load (\(http.requests) requests, \(http.failures) failed, mean \(round3(http.meanMs)) ms): drag→peer p99 \(loaded.dragP99) ms, op→peer p99 \(loaded.opP99) ms"
      )
    }
    let saturation = try measureSaturation(sessions)
    benchLog(
      "saturation: \(Int(saturation.perSecond)) deliveries/s, \(saturation.cpuMicros) µs server CPU each"
    )
    var result: [String: Double] = [
      "clients": Double(clients),
      "deliveries_per_s": saturation.perSecond.rounded(),
      "drag_to_peer_p50_ms": latency.dragP50,
      "drag_to_peer_p99_ms": latency.dragP99,
      "op_to_peer_p99_ms": latency.opP99,
      "server_cpu_us_per_delivery": saturation.cpuMicros,
      "rss_mb_1000_idle": rss,
    ]
    if let duringHTTP {
      result["drag_to_peer_p99_ms_during_http"] = duringHTTP.latency.dragP99
      result["op_to_peer_p99_ms_during_http"] = duringHTTP.latency.opP99
      result["http_requests_during_load"] = Double(duringHTTP.requests)
      result["http_failures_during_load"] = Double(duringHTTP.failures)
      result["http_mean_ms_during_load"] = duringHTTP.meanMs
    }
    if let referencePort, let referenceUpdates {
      let reference = try measureReference(port: referencePort, updates: referenceUpdates)
      benchLog("reference (pycrdt-websocket, Yjs updates): \(Int(reference)) deliveries/s")
      result["reference_deliveries_per_s"] = reference.rounded()
      result["ratio_vs_reference"] = round3(saturation.perSecond / reference)
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    writeOut(String(decoding: try encoder.encode(result), as: UTF8.self) + "\n")
  }

  /// An axis and one node per client, with latents given (the server may run without an encoder).
  private func setUp(_ sessions: [WebSocketLoadClient]) throws {
    var random = SplitMix64(seed: 1)
    func unit() -> String {
      HalfPrecisionCodec.base64(
        LatentVector(LatentGeometry.normalized((0..<384).map { _ in random.nextGaussian() })))
    }
    try sessions[0].send(
      #"{"t":"op","op":{"id":{"lamport":1,"replica":"c0"},"kind":"axis.create","payload":{"axis":"x","name":"X","poles":{"negative":"-","positive":"+"},"provider":"bench","params":{},"direction":"\#(unit())","calibration":{"negativeMean":-0.3,"positiveMean":0.3}}}}"#
    )
    try drain([sessions[0]], until: { $0.contains("\"ack\"") }, count: 1)
    for (index, session) in sessions.enumerated() {
      try session.send(
        #"{"t":"op","op":{"id":{"lamport":2,"replica":"c\#(index)"},"kind":"node.create","payload":{"node":"n\#(index)","text":"node \#(index)","latent":"\#(unit())","origin":{"kind":"typed","parents":[]}}}}"#
      )
    }
    for session in sessions { try drain([session], until: { $0.contains("\"ack\"") }, count: 1) }
  }

  private struct Latency { var dragP50, dragP99, opP99: Double }

  /// A document of `nodes` nodes (latents given), made over one WebSocket in bursts of 500;
  /// returns its id.
  private func seedLargeDocument(nodes: Int) throws -> String {
    let doc = "fanout-large-\(UInt32.random(in: 0...UInt32.max))"
    let client = try WebSocketLoadClient(port: port, path: "/v1/docs/\(doc)")
    try client.send(#"{"t":"hello","replica":"seed","actor":"seed","protocol":1}"#)
    // Ops sent while the room opens wait in a bounded backlog: join first.
    try client.send(#"{"t":"join"}"#)
    try drain([client], until: { $0.contains("\"joined\"") }, count: 1)
    var random = SplitMix64(seed: 2)
    var lamport = 0
    while lamport < nodes {
      let burst = min(500, nodes - lamport)
      for _ in 0..<burst {
        lamport += 1
        let latent = HalfPrecisionCodec.base64(
          LatentVector(LatentGeometry.normalized((0..<384).map { _ in random.nextGaussian() })))
        try client.send(
          #"{"t":"op","op":{"id":{"lamport":\#(lamport),"replica":"seed"},"kind":"node.create","payload":{"node":"m\#(lamport)","text":"seeded node \#(lamport)","latent":"\#(latent)","origin":{"kind":"typed","parents":[]}}}}"#
        )
      }
      try drain([client], until: { $0.contains("\"ack\"") }, count: burst)
    }
    benchLog("seeded \(doc) with \(nodes) nodes")
    return doc
  }

  /// Every client drags at `rate`/s and moves its node at rate/10 per second.
  /// `lamportBase` keeps each phase's moves new (a repeated id would be acked as a
  /// duplicate and never broadcast).
  private func measureLatency(_ sessions: [WebSocketLoadClient], lamportBase: Int = 10) throws
    -> Latency
  {
    let start = DispatchTime.now()
    var dragLatencies: [Double] = []
    var opLatencies: [Double] = []
    var opSent: [String: Double] = [:]
    var lamport = lamportBase
    let interval = 1.0 / Double(rate)
    // Clients are spread evenly over each interval, as independent users would be.
    var nextSend = sessions.indices.map { Double($0) * interval / Double(sessions.count) }
    var sends = [Int](repeating: 0, count: sessions.count)
    while secondsSince(start) < seconds {
      for (index, session) in sessions.enumerated() where secondsSince(start) >= nextSend[index] {
        nextSend[index] += interval
        sends[index] += 1
        try session.send(#"{"t":"drag","node":"n\#(index)","x":\#(secondsSince(start)),"y":0}"#)
        if sends[index] % 10 == 0 {
          lamport += 1
          opSent["\(lamport)@c\(index)"] = secondsSince(start)
          try session.send(
            #"{"t":"op","op":{"id":{"lamport":\#(lamport),"replica":"c\#(index)"},"kind":"node.move","payload":{"node":"n\#(index)","coordinates":[{"axis":"x","value":\#(Double(sends[index] % 7) / 7)}]}}}"#
          )
        }
      }
      for session in sessions {
        guard let messages = session.receive() else { throw CLIError("server closed a client") }
        for message in messages {
          if let sent = Self.dragStamp(message) {
            dragLatencies.append((secondsSince(start) - sent) * 1000)
            continue
          }
          let text = String(decoding: message, as: UTF8.self)
          if text.contains("\"t\":\"op\""), text.contains("node.move"),
            let lamport = Self.number(after: "\"lamport\":", in: text),
            let replica = Self.string(after: "\"replica\":\"", in: text),
            let sent = opSent["\(Int(lamport))@\(replica)"]
          {
            opLatencies.append((secondsSince(start) - sent) * 1000)
          }
        }
        session.compact()
      }
      // Sleep in poll() until a socket is readable or the next send is due, so the
      // generator does not steal the server's CPU.
      let wait = max(0, (nextSend.min() ?? 0) - secondsSince(start))
      var descriptors = sessions.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
      _ = poll(
        &descriptors, nfds_t(descriptors.count), Int32((min(wait, 0.002) * 1000).rounded(.up)))
    }
    dragLatencies.sort()
    opLatencies.sort()
    guard !dragLatencies.isEmpty, !opLatencies.isEmpty else {
      throw CLIError(
        "no deliveries measured (\(dragLatencies.count) drags, \(opLatencies.count) moves)")
    }
    return Latency(
      dragP50: round3(percentile(dragLatencies, 0.5)),
      dragP99: round3(percentile(dragLatencies, 0.99)),
      opP99: round3(percentile(opLatencies, 0.99)))
  }

  /// Every client sends drags as fast as the loop allows; counts deliveries to peers.
  private func measureSaturation(_ sessions: [WebSocketLoadClient]) throws -> (
    perSecond: Double, cpuMicros: Double
  ) {
    let cpuBefore = serverCPUSeconds()
    let start = DispatchTime.now()
    var delivered = 0
    while secondsSince(start) < seconds {
      for (index, session) in sessions.enumerated() {
        try session.send(#"{"t":"drag","node":"n\#(index)","x":1,"y":0}"#)
      }
      for session in sessions {
        guard let messages = session.receive() else { throw CLIError("server closed a client") }
        delivered += messages.count
        session.compact()
      }
    }
    delivered += collectInFlight(sessions)
    let elapsed = secondsSince(start)
    let cpu = serverCPUSeconds() - cpuBefore
    return (Double(delivered) / elapsed, round3(cpu * 1e6 / Double(max(delivered, 1))))
  }

  /// The same saturation loop against the Yjs reference: each client replays its own
  /// pre-generated update frames; every frame a client receives counts as a delivery.
  private func measureReference(port: Int, updates path: String) throws -> Double {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CLIError("cannot read \(path)")
    }
    var frames = [[[UInt8]]](repeating: [], count: clients)
    var offset = 0
    let bytes = [UInt8](data)
    while offset + 6 <= bytes.count {
      let client = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
      let length = (0..<4).reduce(0) { $0 | Int(bytes[offset + 2 + $1]) << (8 * $1) }
      if client < clients {
        frames[client].append(Array(bytes[(offset + 6)..<(offset + 6 + length)]))
      }
      offset += 6 + length
    }
    let sessions = try (0..<clients).map { _ in try WebSocketLoadClient(port: port, path: "/fanout")
    }
    // Let the initial sync exchange settle, then discard it.
    let settle = DispatchTime.now()
    while secondsSince(settle) < 1 {
      for session in sessions {
        _ = session.receive()
        session.compact()
      }
      usleep(1000)
    }
    let start = DispatchTime.now()
    var delivered = 0
    var next = [Int](repeating: 0, count: clients)
    while secondsSince(start) < seconds {
      for (index, session) in sessions.enumerated() where next[index] < frames[index].count {
        try session.send(bytes: frames[index][next[index]], opcode: 0x2)
        next[index] += 1
      }
      for session in sessions {
        guard let messages = session.receive() else {
          throw CLIError("reference server closed a client")
        }
        delivered += messages.count
        session.compact()
      }
    }
    delivered += collectInFlight(sessions)
    return Double(delivered) / secondsSince(start)
  }

  /// Counts the frames still in flight at the end of a phase (half a second's worth).
  private func collectInFlight(_ sessions: [WebSocketLoadClient]) -> Int {
    var delivered = 0
    let tail = DispatchTime.now()
    while secondsSince(tail) < 0.5 {
      for session in sessions {
        delivered += session.receive()?.count ?? 0
        session.compact()
      }
      usleep(1000)
    }
    return delivered
  }

  /// Extra server RSS for `idle` connected, joined, silent clients.
  private func measureIdle() throws -> Double {
    let before = serverRSSMegabytes()
    var idleClients: [WebSocketLoadClient] = []
    for index in 0..<idle {
      let client = try WebSocketLoadClient(port: port, path: "/v1/docs/idle")
      try client.send(#"{"t":"hello","replica":"idle\#(index)","protocol":1}"#)
      idleClients.append(client)
    }
    usleep(1_000_000)
    for client in idleClients { _ = client.receive() }
    let after = serverRSSMegabytes()
    return round3(after - before)
  }

  private func drain(_ sessions: [WebSocketLoadClient], until match: (String) -> Bool, count: Int)
    throws
  {
    var found = 0
    let start = DispatchTime.now()
    while found < count {
      guard secondsSince(start) < 30 else { throw CLIError("timed out waiting for the server") }
      for session in sessions {
        guard let messages = session.receive() else { throw CLIError("server closed a client") }
        found += messages.filter { match(String(decoding: $0, as: UTF8.self)) }.count
        session.compact()
      }
      usleep(500)
    }
  }

  private func serverCPUSeconds() -> Double {
    guard let stat = try? String(contentsOfFile: "/proc/\(serverPid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return 0 }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
    return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
  }

  private func serverRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/\(serverPid)/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
      let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return kb / 1024
  }

  private func raiseFileLimit(to wanted: Int) {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    if limit.rlim_cur < rlim_t(wanted) {
      limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
      setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
  }

  /// The x of a relayed drag frame (the sender's timestamp), found without decoding JSON:
  /// drag frames have sorted keys and end with `"t":"drag","x":X,"y":Y}`.
  static func dragStamp(_ message: ArraySlice<UInt8>) -> Double? {
    let marker = Array(#""t":"drag","x":"#.utf8)
    guard message.count > marker.count + 6 else { return nil }
    let bytes = Array(message)
    var index = bytes.count - marker.count - 1
    while index >= 0 {
      if bytes[index] == marker[0] && Array(bytes[index..<index + marker.count]) == marker {
        let digits = bytes[(index + marker.count)...].prefix { $0 != UInt8(ascii: ",") }
        return Double(String(decoding: digits, as: UTF8.self))
      }
      index -= 1
    }
    return nil
  }

  static func number(after key: String, in text: String) -> Double? {
    guard let range = text.range(of: key) else { return nil }
    let digits = text[range.upperBound...].prefix { "0123456789.-e+E".contains($0) }
    return Double(digits)
  }

  static func string(after key: String, in text: String) -> String? {
    guard let range = text.range(of: key) else { return nil }
    return String(text[range.upperBound...].prefix { $0 != "\"" })
  }

  private func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}
