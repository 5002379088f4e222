import Foundation

/// Identifies one WebSocket connection for the lifetime of the server.
public typealias ConnectionID = Int

/// What the transport reports. Called on the service thread: implementations must return
/// quickly and hand real work to other queues.
public protocol TransportDelegate: AnyObject, Sendable {
  /// Whether to accept a WebSocket upgrade on `path` with this bearer token (from the
  /// `token` query parameter or an `Authorization: Bearer` header). Refused upgrades get
  /// an HTTP error and never connect.
  func accepts(path: String, token: String?) -> Bool
  /// A WebSocket connected on `path` (e.g. "/v1/docs/abc").
  func connected(_ id: ConnectionID, path: String, token: String?)
  /// One complete text message arrived.
  func received(_ id: ConnectionID, message: Data)
  /// The connection closed (by either side).
  func disconnected(_ id: ConnectionID)
  /// An HTTP request (query string without "?", body for POST). The delegate answers by
  /// calling `respond` once, from any thread: slow routes run off the service thread.
  func http(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void)
}

/// An HTTP request as the transport read it.
public struct HTTPRequest: Sendable {
  /// "GET" or "POST".
  public var method: String
  /// The URL path, without the query string.
  public var path: String
  /// Query parameters, URL-decoded (the last value wins for repeated names).
  public var parameters: [String: String]
  /// The request body (POST).
  public var body: Data
  /// The access token, from the `token` query parameter or an `Authorization: Bearer` header.
  public var token: String?

  /// Makes a request.
  public init(
    method: String, path: String, parameters: [String: String], body: Data, token: String? = nil
  ) {
    self.method = method
    self.path = path
    self.parameters = parameters
    self.body = body
    self.token = token ?? parameters["token"]
  }
}

/// A small HTTP response written by the transport.
public struct HTTPResponse: Sendable {
  /// HTTP status code.
  public var status: Int
  /// Content-Type header value.
  public var contentType: String
  /// Response body.
  public var body: Data
  /// Close the connection after this response (no keep-alive): for refusals after which
  /// the rest of the connection's bytes cannot be trusted to frame a request.
  public var closesConnection = false

  /// Makes a response.
  public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: Data) {
    self.status = status
    self.contentType = contentType
    self.body = body
  }

  /// A JSON response.
  public static func json(_ status: Int, _ body: Data) -> HTTPResponse {
    HTTPResponse(status: status, contentType: "application/json", body: body)
  }

  /// A plain-text response.
  public static func text(_ status: Int, _ text: String) -> HTTPResponse {
    HTTPResponse(status: status, body: Data(text.utf8))
  }
}

/// A text frame ready for `lws_write`: the payload after `LWS_PRE` bytes of headroom,
/// built once and shared by every connection it goes to (writes happen one at a time on
/// the service thread, which is all lws needs from the headroom).
// @unchecked: `storage` is written once in init and only read after (by the service thread).
final class OutgoingFrame: @unchecked Sendable {
  let storage: UnsafeMutableRawBufferPointer
  let count: Int
  /// Frames with the same key replace each other while queued: presence, where only the
  /// newest matters to a slow consumer. (Drags are not coalesced: peers animate the path.)
  let coalesceKey: String?

  /// A one-off large frame (a join's snapshot): see `WebSocketServer.send(_:to:bulk:)`.
  let bulk: Bool

  init(_ message: Data, headroom: Int, coalesceKey: String? = nil, bulk: Bool = false) {
    self.coalesceKey = coalesceKey
    self.bulk = bulk
    count = message.count
    storage = .allocate(byteCount: headroom + message.count, alignment: 16)
    message.copyBytes(to: UnsafeMutableRawBufferPointer(rebasing: storage[headroom...]))
  }

  deinit { storage.deallocate() }
}

/// Something for the service thread to do for a connection.
enum Outgoing {
  case message(OutgoingFrame)
  case close(code: UInt16, reason: String)
  /// The answer to a pending HTTP request (the id is the request's ticket).
  case http(HTTPResponse)
}
