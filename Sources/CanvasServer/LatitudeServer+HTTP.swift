import Canvas
import CanvasStore
import Foundation
import Latent

/// HTTP on the WebSocket port: /healthz, /metrics and the REST API.
extension LatitudeServer {
  /// Answers an HTTP request. Called on the service thread: the page, health, metrics and
  /// the pack axes are answered there (they take microseconds); every route that reads the
  /// store, folds a document or runs the encoder goes to the HTTP work queue, at most
  /// `maxConcurrentHTTP` at once (more get 503), so no request stalls the transport.
  public func http(
    _ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void
  ) {
    let parts = request.path.split(separator: "/")
    // Everything outside /v1 (the page, its assets, /healthz, /metrics) and /v1/axes.
    let cheap = request.method == "GET" && (parts.first != "v1" || parts == ["v1", "axes"])
    if cheap { return respond(route(request)) }
    guard httpInFlight.add(1, ordering: .relaxed).newValue <= Self.maxConcurrentHTTP else {
      httpInFlight.subtract(1, ordering: .relaxed)
      return respond(.failure(503, "busy", "too many requests in progress; retry shortly"))
    }
    httpQueue.async { [self] in
      let response = route(request)
      httpInFlight.subtract(1, ordering: .relaxed)
      respond(response)
    }
  }

  /// Requests served off the transport thread at once.
  static let maxConcurrentHTTP = 8

  /// Routes an HTTP request: health, metrics and the REST API.
  func route(_ request: HTTPRequest) -> HTTPResponse {
    let parts = request.path.split(separator: "/").map(String.init)
    do {
      let route = (
        request.method,
        parts.count > 2 && parts[0] == "v1" && parts[1] == "docs"
          ? ["v1", "docs", "*"] + parts.dropFirst(3) : parts
      )
      let doc = parts.count > 2 ? DocumentID(parts[2]) : DocumentID("")
      if request.method == "GET", let asset = WebAssets.response(parts) { return asset }
      if let refusal = authorize(request, route: route.1, doc: doc) { return refusal }
      if let answer = try featureRoute(request, route: route.1, doc: doc) { return answer }
      switch route {
      case ("GET", ["healthz"]):
        let (roomCount, connections) = counts()
        return .json(
          200,
          encoding: REST.Health(
            rooms: roomCount, connections: connections, node: store.ownership?.owner,
            owns: store.ownership?.owned.map(\.rawValue)))
      case ("GET", ["metrics"]):
        let (roomCount, connections) = counts()
        return HTTPResponse(
          status: 200, contentType: "text/plain; version=0.0.4",
          body: Data(
            metrics.render(
              connections: connections, rooms: roomCount, commitQueueOps: committer.queuedOps,
              sendQueueBytes: transport.queuedBytes
            ).utf8) + Data((decodes?.snapshot.prometheus ?? "").utf8) + Data(pluginMetrics().utf8)
            + Data(ownershipMetrics().utf8))
      case ("GET", ["v1", "docs"]):
        return .json(200, try JSONEncoder().encode(try store.documents()))
      case ("POST", ["v1", "docs"]):
        return try createDocument(request.body)
      case ("GET", ["v1", "docs", "*", "ops"]):
        return try ops(doc, request.parameters)
      case ("GET", ["v1", "docs", "*", "state"]):
        return try state(doc, request.parameters)
      case ("POST", ["v1", "encode"]):
        return try encode(request.body)
      case ("GET", ["v1", "docs", "*", "projections"]):
        return try projections(doc)
      case ("GET", ["v1", "axes"]):
        return packAxes()
      default:
        return .failure(404, "not_found", "no route for \(request.method) \(request.path)")
      }
    } catch let error as StoreError {
      let status: Int
      switch error {
      case .unknownDocument: status = 404
      case .documentExists: status = 409
      case .seqOutOfRange: status = 400
      default: status = 500
      }
      return .failure(status, "store", error.description)
    } catch let error as ProtocolError {
      return .failure(400, error.code, error.description)
    } catch {
      return .failure(500, "internal", "\(error)")
    }
  }

  /// With a secret configured, the REST API needs a token: one for the document (or "*")
  /// for a document's routes, a "*" token for the rest. The page, /healthz, /metrics and
  /// the list of pack axes stay open. Returns the 403 response, or nil when allowed.
  private func authorize(_ request: HTTPRequest, route: [String], doc: DocumentID) -> HTTPResponse?
  {
    guard let secret = configuration.secret else { return nil }
    switch route {
    case ["healthz"], ["metrics"], ["v1", "axes"], ["v1", "features"]: return nil
    // The feature catalogue holds no document data.
    case let parts where parts.count == 3 && parts[0] == "v1" && parts[1] == "features": return nil
    default: break
    }
    let scope = route.count > 2 && route[2] == "*" ? doc.rawValue : "*"
    do {
      let grant = try AccessToken.verify(request.token ?? "", secret: secret, document: scope)
      // Creating documents and running the encoder are writes: a viewer may only read.
      if request.method != "GET", !grant.role.canWrite {
        return .failure(403, "forbidden", "403: a viewer's token cannot \(request.method) here")
      }
      return nil
    } catch {
      return .failure(
        403, "forbidden",
        "403: this server needs an access token for \(scope == "*" ? "this route" : "document '\(scope)'") (\(error))"
      )
    }
  }

  private func counts() -> (rooms: Int, connections: Int) {
    lock.lock()
    defer { lock.unlock() }
    return (rooms.count, sessions.count)
  }

  private func createDocument(_ body: Data) throws -> HTTPResponse {
    guard let request = try? JSONDecoder().decode(REST.CreateDocument.self, from: body),
      Self.isValidDocumentID(Substring(request.id))
    else {
      throw ProtocolError.malformed(#"POST /v1/docs takes {"id": "...", "title": "..."}"#)
    }
    let info = DocumentInfo(
      id: DocumentID(request.id), title: request.title ?? request.id,
      createdAt: Int64(Date().timeIntervalSince1970))
    try store.createDocument(info)
    return .json(201, try JSONEncoder().encode(try store.requireDocument(info.id)))
  }

  private func ops(_ id: DocumentID, _ parameters: [String: String]) throws -> HTTPResponse {
    let from = Int64(parameters["from"] ?? "1") ?? 1
    let limit = min(max(Int(parameters["limit"] ?? "1000") ?? 1000, 1), 10_000)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    var body = Data()
    for entry in try store.ops(id, from: from, limit: limit) {
      body.append(try encoder.encode(REST.OpLine(seq: entry.seq, op: entry.op, at: entry.at)))
      body.append(0x0A)
    }
    return HTTPResponse(status: 200, contentType: "application/x-ndjson", body: body)
  }

  private func state(_ id: DocumentID, _ parameters: [String: String]) throws -> HTTPResponse {
    let head = try store.requireDocument(id).headSeq
    let seq = parameters["seq"].map { Int64($0) ?? -1 } ?? head
    let state = try store.state(id, atSeq: seq)
    let latents = parameters["latents"] == "1"
    return .json(
      200, encoding: REST.State(view: state.rendered(includeLatents: latents), seq: seq))
  }

  /// Every live node's calibrated coordinate on every axis of the document: where it was
  /// put ("at") and where its text lands ("text").
  private func projections(_ id: DocumentID) throws -> HTTPResponse {
    let head = try store.requireDocument(id).headSeq
    let state = try store.state(id, atSeq: head)
    return .json(
      200,
      encoding: REST.Projections(
        seq: head, axes: state.axes.map { .init(id: $0.id, name: $0.name) },
        nodes: state.nodes.map { node in
          .init(
            id: node.id,
            coords: NodeCoordinates(of: node.id, in: state) ?? NodeCoordinates(entries: [:]),
            text: node.text)
        }))
  }

  private func pluginMetrics() -> String {
    [
      "# HELP latitude_plugins_loaded Native plugins loaded.",
      "# TYPE latitude_plugins_loaded gauge",
      "latitude_plugins_loaded \(plugins.plugins.count)",
      "# HELP latitude_plugins_disabled Plugins disabled after repeated timeouts or faults.",
      "# TYPE latitude_plugins_disabled gauge",
      "latitude_plugins_disabled \(plugins.disabled.count)",
      "# HELP latitude_plugin_timeouts_total Plugin calls that overran their time limit.",
      "# TYPE latitude_plugin_timeouts_total counter",
      "latitude_plugin_timeouts_total \(plugins.timeouts)",
      "# HELP latitude_plugin_faults_total WebAssembly plugin calls that trapped, ran out of fuel or returned garbage.",
      "# TYPE latitude_plugin_faults_total counter",
      "latitude_plugin_faults_total \(plugins.faults)",
    ].joined(separator: "\n") + "\n"
  }

  /// The axes of the loaded axis packs (usable in axis.create with provider "pack").
  private func packAxes() -> HTTPResponse {
    .json(
      200,
      encoding: REST.PackAxes(
        axes: (axes?.axes ?? []).map {
          .init(
            id: $0.id, name: $0.name, pack: $0.pack, version: $0.version, poles: $0.poles,
            source: $0.source)
        }))
  }

  /// {"texts": [...], "doc": optional} → base64 fp16 latents, and coordinates on the
  /// document's axes when a doc is named.
  private func encode(_ body: Data) throws -> HTTPResponse {
    guard let request = try? JSONDecoder().decode(REST.EncodeRequest.self, from: body),
      !request.texts.isEmpty, request.texts.count <= 256
    else {
      throw ProtocolError.malformed(
        #"POST /v1/encode takes {"texts": [1–256 strings], "doc": optional}"#)
    }
    let texts = request.texts
    guard let encoder else {
      throw ProtocolError.unavailable("this server runs without an encoder")
    }
    let validator = OpValidator()
    for text in texts {
      do { try validator.checkText(text, field: "texts") } catch {
        throw ProtocolError.invalid(error)
      }
    }
    let vectors = encoder.encode(texts, batchSize: 32, threads: 1)
    var axes: [Axis] = []
    if let doc = request.doc {
      axes = try store.state(
        DocumentID(doc), atSeq: try store.requireDocument(DocumentID(doc)).headSeq
      ).axes
    }
    let results: [REST.Encoded.Result] = vectors.map { vector in
      var entry = REST.Encoded.Result(latent: HalfPrecisionCodec.base64(LatentVector(vector)))
      if !axes.isEmpty {
        entry.coords = Dictionary(
          uniqueKeysWithValues: axes.map {
            (
              $0.id.rawValue,
              Double(
                $0.calibration.coordinate(ofProjection: VectorMath.dot(vector, $0.direction.floats))
              )
            )
          })
      }
      return entry
    }
    return .json(200, encoding: REST.Encoded(model: encoder.name, results: results))
  }
}
