import CLibWebSockets
import Foundation

/// One HTTP request on the service thread, from its first callback to its last write.
/// The delegate answers it from any thread; the answer comes back through the inbox by
/// `ticket`, so a connection that closed meanwhile (and whose `wsi` lws may reuse) is
/// never written to.
final class HTTPExchange {
  let ticket: Int
  var request: HTTPRequest
  var response: HTTPResponse?
  /// Handed to the delegate (lws may report a body's completion more than once).
  var dispatched = false
  var headersSent = false

  init(ticket: Int, request: HTTPRequest) {
    self.ticket = ticket
    self.request = request
  }
}

/// HTTP on the WebSocket port (service thread). GET and POST only; a POST needs one plain
/// Content-Length within the message limit (no chunked bodies, no Transfer-Encoding).
/// One request per connection: every answer closes it, so bytes after a request (a
/// pipelined or smuggled one) are never parsed as another request.
extension WebSocketServer {
  /// Starts an HTTP request: GETs go to the delegate at once; POST bodies are collected first.
  func beginHTTP(_ wsi: OpaquePointer, path: String) -> Int32 {
    // One request per connection: a request pipelined behind one still being answered is
    // not read (the connection closes after the first answer).
    if httpExchanges[wsi] != nil { return 0 }
    let method = Self.method(of: wsi)
    guard method == "GET" || method == "POST" else {
      return refuseHTTP(wsi, 405, "\(method) is not supported here; use GET or POST\n")
    }
    if method == "POST" {
      if lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0 {
        return refuseHTTP(
          wsi, 411, "send the body with one Content-Length (no Transfer-Encoding)\n")
      }
      let length = header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH)
      guard let length, !length.isEmpty, length.utf8.allSatisfy({ (48...57).contains($0) }),
        let bytes = Int(length)
      else {
        return refuseHTTP(wsi, length == nil ? 411 : 400, "a POST needs one plain Content-Length\n")
      }
      guard bytes <= configuration.maxMessageBytes else {
        return refuseHTTP(wsi, 413, "request body over \(configuration.maxMessageBytes) bytes\n")
      }
    }
    let request = HTTPRequest(
      method: method, path: path, parameters: queryParameters(wsi), body: Data(),
      token: bearerToken(wsi))
    let exchange = HTTPExchange(ticket: nextHTTPTicket(), request: request)
    httpExchanges[wsi] = exchange
    httpTickets[exchange.ticket] = wsi
    if method == "POST" { return 0 }
    dispatch(exchange)
    return 0
  }

  /// Collects a POST body, refusing one over the message limit.
  func appendHTTPBody(_ wsi: OpaquePointer, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    guard let exchange = httpExchanges[wsi] else { return -1 }
    // Refused or complete already: the rest is dropped.
    guard exchange.response == nil, !exchange.dispatched else { return 0 }
    if exchange.request.body.count + bytes.count > configuration.maxMessageBytes {
      return refuseHTTP(wsi, 413, "request body over \(configuration.maxMessageBytes) bytes\n")
    }
    exchange.request.body.append(contentsOf: bytes)
    return 0
  }

  /// The body is complete: hand the request to the delegate.
  func completeHTTPBody(_ wsi: OpaquePointer) -> Int32 {
    guard let exchange = httpExchanges[wsi], exchange.response == nil else { return 0 }
    dispatch(exchange)
    return 0
  }

  /// An answer arrived through the inbox: write it when the socket is writable.
  func answerHTTP(ticket: Int, _ response: HTTPResponse) {
    guard let wsi = httpTickets[ticket], let exchange = httpExchanges[wsi],
      exchange.response == nil
    else { return }
    var response = response
    response.closesConnection = true
    exchange.response = response
    lws_callback_on_writable(wsi)
  }

  /// Writes the headers, then (on the next writable callback) the body, then ends the
  /// transaction, or the connection when the response asks for it.
  func writeHTTP(_ wsi: OpaquePointer) -> Int32 {
    guard let exchange = httpExchanges[wsi], let response = exchange.response else { return 0 }
    if !exchange.headersSent {
      guard writeHeaders(wsi, response) else { return -1 }
      exchange.headersSent = true
      if !response.body.isEmpty {
        lws_callback_on_writable(wsi)
        return 0
      }
    } else {
      let pre = Int(latitude_lws_pre)
      var buffer = [UInt8](repeating: 0, count: pre + response.body.count)
      buffer.withUnsafeMutableBufferPointer { raw in
        response.body.copyBytes(
          to: UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(raw)[pre...]))
      }
      let written = buffer.withUnsafeMutableBufferPointer {
        lws_write(wsi, $0.baseAddress! + pre, response.body.count, LWS_WRITE_HTTP_FINAL)
      }
      if written != response.body.count { return -1 }
    }
    endHTTP(wsi)
    if response.closesConnection { return -1 }
    return lws_http_transaction_completed(wsi) != 0 ? -1 : 0
  }

  /// Forgets the exchange of a connection that finished or closed.
  func endHTTP(_ wsi: OpaquePointer) {
    if let exchange = httpExchanges.removeValue(forKey: wsi) {
      httpTickets[exchange.ticket] = nil
    }
  }

  // MARK: Helpers

  private func dispatch(_ exchange: HTTPExchange) {
    guard !exchange.dispatched else { return }
    exchange.dispatched = true
    guard let delegate else {
      answerHTTP(ticket: exchange.ticket, .text(503, "server not ready\n"))
      return
    }
    let ticket = exchange.ticket
    delegate.http(exchange.request) { [weak self] response in
      self?.post(ticket, .http(response))
    }
  }

  /// Answers at once with a plain-text refusal and closes the connection after it.
  private func refuseHTTP(_ wsi: OpaquePointer, _ status: Int, _ message: String) -> Int32 {
    var response = HTTPResponse.text(status, message)
    response.closesConnection = true
    let exchange =
      httpExchanges[wsi]
      ?? HTTPExchange(
        ticket: nextHTTPTicket(),
        request: HTTPRequest(method: "", path: "", parameters: [:], body: Data()))
    httpExchanges[wsi] = exchange
    httpTickets[exchange.ticket] = wsi
    exchange.response = response
    lws_callback_on_writable(wsi)
    return 0
  }

  private func writeHeaders(_ wsi: OpaquePointer, _ response: HTTPResponse) -> Bool {
    let pre = Int(latitude_lws_pre)
    var buffer = [UInt8](repeating: 0, count: pre + 2048)
    return buffer.withUnsafeMutableBufferPointer { raw -> Bool in
      let start = raw.baseAddress! + pre
      let end = raw.baseAddress! + raw.count
      var cursor: UnsafeMutablePointer<UInt8>? = start
      if lws_add_http_common_headers(
        wsi, UInt32(response.status), response.contentType, lws_filepos_t(response.body.count),
        &cursor, end) != 0
      {
        return false
      }
      if response.closesConnection {
        let value = Array("close".utf8)
        if lws_add_http_header_by_token(
          wsi, WSI_TOKEN_CONNECTION, value, Int32(value.count), &cursor, end) != 0
        {
          return false
        }
      }
      return lws_finalize_write_http_header(wsi, start, &cursor, end) == 0
    }
  }

  /// The request's method, from the URI token lws filled in.
  static func method(of wsi: OpaquePointer) -> String {
    let methods: [(lws_token_indexes, String)] = [
      (WSI_TOKEN_GET_URI, "GET"), (WSI_TOKEN_POST_URI, "POST"), (WSI_TOKEN_PUT_URI, "PUT"),
      (WSI_TOKEN_DELETE_URI, "DELETE"), (WSI_TOKEN_OPTIONS_URI, "OPTIONS"),
      (WSI_TOKEN_PATCH_URI, "PATCH"), (WSI_TOKEN_HEAD_URI, "HEAD"),
    ]
    return methods.first { lws_hdr_total_length(wsi, $0.0) > 0 }?.1 ?? "UNKNOWN"
  }

  /// A header's value, or nil when absent or too long to be honest (over 1 KiB).
  private func header(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
    let length = Int(lws_hdr_total_length(wsi, token))
    guard length > 0 else { return nil }
    guard length < 1024 else { return "" }
    var buffer = [CChar](repeating: 0, count: length + 1)
    guard lws_hdr_copy(wsi, &buffer, Int32(buffer.count), token) >= 0 else { return "" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// URL arguments: lws keeps each, already decoded, as one fragment "name=value".
  private func queryParameters(_ wsi: OpaquePointer) -> [String: String] {
    var parameters: [String: String] = [:]
    var fragment = [CChar](repeating: 0, count: 1024)
    var index: Int32 = 0
    while index < 64,
      lws_hdr_copy_fragment(wsi, &fragment, Int32(fragment.count), WSI_TOKEN_HTTP_URI_ARGS, index)
        >= 0
    {
      let text = String(
        decoding: fragment.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let pair = text.split(separator: "=", maxSplits: 1)
      if let name = pair.first { parameters[String(name)] = pair.count > 1 ? String(pair[1]) : "" }
      index += 1
    }
    return parameters
  }

  private func bearerToken(_ wsi: OpaquePointer) -> String? {
    guard let header = header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION),
      header.lowercased().hasPrefix("bearer ")
    else { return nil }
    return String(header.dropFirst(7))
  }
}
