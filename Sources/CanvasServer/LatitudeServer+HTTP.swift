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
      return respond(
        .json(
          503,
          ServerFrames.encode([
            "error": "busy", "message": "too many requests in progress; retry shortly",
          ])))
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
      switch route {
      case ("GET", ["healthz"]):
        let (roomCount, connections) = counts()
        return .json(
          200,
          ServerFrames.encode(["status": "ok", "rooms": roomCount, "connections": connections]))
      case ("GET", ["metrics"]):
        let (roomCount, connections) = counts()
        return HTTPResponse(
          status: 200, contentType: "text/plain; version=0.0.4",
          body: Data(
            metrics.render(
              connections: connections, rooms: roomCount, commitQueueOps: committer.queuedOps,
              sendQueueBytes: transport.queuedBytes
            ).utf8) + Data((decodes?.snapshot.prometheus ?? "").utf8) + Data(pluginMetrics().utf8))
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
        return .json(
          404,
          ServerFrames.encode([
            "error": "not_found", "message": "no route for \(request.method) \(request.path)",
          ]))
      }
    } catch let error as StoreError {
      let status: Int
      switch error {
      case .unknownDocument: status = 404
      case .documentExists: status = 409
      case .seqOutOfRange: status = 400
      default: status = 500
      }
      return .json(status, ServerFrames.encode(["error": "store", "message": error.description]))
    } catch let error as ProtocolError {
      return .json(400, ServerFrames.encode(["error": error.code, "message": error.message]))
    } catch {
      return .json(500, ServerFrames.encode(["error": "internal", "message": "\(error)"]))
    }
  }

  /// With a secret configured, the REST API needs a token: one for the document (or "*")
  /// for a document's routes, a "*" token for the rest. The page, /healthz, /metrics and
  /// the list of pack axes stay open. Returns the 403 response, or nil when allowed.
  private func authorize(_ request: HTTPRequest, route: [String], doc: DocumentID) -> HTTPResponse?
  {
    guard let secret = configuration.secret else { return nil }
    switch route {
    case ["healthz"], ["metrics"], ["v1", "axes"]: return nil
    default: break
    }
    let scope = route.count > 2 && route[2] == "*" ? doc.rawValue : "*"
    do {
      let grant = try AccessToken.verify(request.token ?? "", secret: secret, document: scope)
      // Creating documents and running the encoder are writes: a viewer may only read.
      if request.method != "GET", !grant.role.canWrite {
        return .json(
          403,
          ServerFrames.encode([
            "error": "forbidden", "message": "403: a viewer's token cannot \(request.method) here",
          ]))
      }
      return nil
    } catch {
      return .json(
        403,
        ServerFrames.encode([
          "error": "forbidden",
          "message":
            "403: this server needs an access token for \(scope == "*" ? "this route" : "document '\(scope)'") (\(error))",
        ]))
    }
  }

  private func counts() -> (rooms: Int, connections: Int) {
    lock.lock()
    defer { lock.unlock() }
    return (rooms.count, sessions.count)
  }

  private func createDocument(_ body: Data) throws -> HTTPResponse {
    guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
      let id = object["id"] as? String, Self.isValidDocumentID(Substring(id))
    else {
      throw ProtocolError(
        code: "malformed", message: "POST /v1/docs takes {\"id\": \"...\", \"title\": \"...\"}")
    }
    let info = DocumentInfo(
      id: DocumentID(id), title: object["title"] as? String ?? id,
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
      body.append(
        try encoder.encode(["seq": AnyEncodable(entry.seq), "op": AnyEncodable(entry.op)]))
      body.append(0x0A)
    }
    return HTTPResponse(status: 200, contentType: "application/x-ndjson", body: body)
  }

  private func state(_ id: DocumentID, _ parameters: [String: String]) throws -> HTTPResponse {
    let head = try store.requireDocument(id).headSeq
    let seq = parameters["seq"].map { Int64($0) ?? -1 } ?? head
    let state = try store.state(id, atSeq: seq)
    let latents = parameters["latents"] == "1"
    let view = try JSONEncoder().encode(state.rendered(includeLatents: latents))
    var object = (try JSONSerialization.jsonObject(with: view)) as? [String: Any] ?? [:]
    object["seq"] = seq
    return .json(200, ServerFrames.encode(object))
  }

  /// Every live node's calibrated coordinate on every axis of the document: where it was
  /// put ("at") and where its text lands ("text").
  private func projections(_ id: DocumentID) throws -> HTTPResponse {
    let head = try store.requireDocument(id).headSeq
    let state = try store.state(id, atSeq: head)
    let nodes: [[String: Any]] = state.nodes.map { node in
      var entry: [String: Any] = [
        "id": node.id.rawValue, "coords": ServerFrames.coordinates(of: node.id, in: state) ?? [:],
      ]
      if let text = node.text { entry["text"] = text }
      return entry
    }
    return .json(
      200,
      ServerFrames.encode([
        "seq": head, "axes": state.axes.map { ["id": $0.id.rawValue, "name": $0.name] },
        "nodes": nodes,
      ]))
  }

  private func pluginMetrics() -> String {
    [
      "# HELP latitude_plugins_loaded Native plugins loaded.",
      "# TYPE latitude_plugins_loaded gauge",
      "latitude_plugins_loaded \(plugins.plugins.count)",
      "# HELP latitude_plugins_disabled Native plugins disabled after repeated timeouts.",
      "# TYPE latitude_plugins_disabled gauge",
      "latitude_plugins_disabled \(plugins.disabled.count)",
      "# HELP latitude_plugin_timeouts_total Plugin calls that overran their time limit.",
      "# TYPE latitude_plugin_timeouts_total counter",
      "latitude_plugin_timeouts_total \(plugins.timeouts)",
    ].joined(separator: "\n") + "\n"
  }

  /// The axes of the loaded axis packs (usable in axis.create with provider "pack").
  private func packAxes() -> HTTPResponse {
    let list: [[String: Any]] = (axes?.axes ?? []).map { axis in
      var entry: [String: Any] = [
        "id": axis.id, "name": axis.name, "pack": axis.pack, "version": axis.version,
        "poles": ["negative": axis.poles.negative, "positive": axis.poles.positive],
      ]
      if let source = axis.source { entry["source"] = source }
      return entry
    }
    return .json(200, ServerFrames.encode(["axes": list]))
  }

  /// {"texts": [...], "doc": optional} → base64 fp16 latents, and coordinates on the
  /// document's axes when a doc is named.
  private func encode(_ body: Data) throws -> HTTPResponse {
    guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
      let texts = object["texts"] as? [String], !texts.isEmpty, texts.count <= 256
    else {
      throw ProtocolError(
        code: "malformed",
        message: "POST /v1/encode takes {\"texts\": [1–256 strings], \"doc\": optional}")
    }
    guard let encoder else {
      throw ProtocolError(code: "unavailable", message: "this server runs without an encoder")
    }
    let validator = OpValidator()
    for text in texts {
      do { try validator.checkText(text, field: "texts") } catch {
        throw ProtocolError(code: error.code, message: error.description)
      }
    }
    let vectors = encoder.encode(texts, batchSize: 32, threads: 1)
    var axes: [Axis] = []
    if let doc = object["doc"] as? String {
      axes = try store.state(
        DocumentID(doc), atSeq: try store.requireDocument(DocumentID(doc)).headSeq
      ).axes
    }
    let results: [[String: Any]] = vectors.map { vector in
      var entry: [String: Any] = ["latent": HalfPrecisionCodec.base64(LatentVector(vector))]
      if !axes.isEmpty {
        entry["coords"] = Dictionary(
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
    return .json(200, ServerFrames.encode(["model": encoder.name, "results": results]))
  }
}

/// Wraps an Encodable for heterogeneous dictionaries.
struct AnyEncodable: Encodable {
  let value: any Encodable
  init(_ value: any Encodable) { self.value = value }
  func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
