import CLibWebSockets
import Foundation

/// The single libwebsockets callback. It runs on the service thread, finds the server
/// through the context's user pointer, and the connection through the 8-byte per-session
/// slot that holds its id.
func latitudeLWSCallback(
  _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
  _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
  guard let wsi, let context = lws_get_context(wsi), let raw = lws_context_user(context) else {
    return 0
  }
  let server = Unmanaged<WebSocketServer>.fromOpaque(raw).takeUnretainedValue()
  let id = user?.load(as: Int.self) ?? 0
  switch reason {
  case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
    let request = server.upgradeRequest(wsi)
    if server.delegate?.accepts(path: request.path, token: request.token) == true { return 0 }
    // Refuse the upgrade with a real HTTP status rather than a bare disconnect.
    _ = lws_return_http_status(
      wsi, UInt32(HTTP_STATUS_FORBIDDEN.rawValue), "missing, invalid or expired access token")
    return 1
  case LWS_CALLBACK_ESTABLISHED:
    user?.storeBytes(of: server.accept(wsi), as: Int.self)
  case LWS_CALLBACK_RECEIVE:
    let bytes = UnsafeRawBufferPointer(start: input, count: length)
    let final = lws_is_final_fragment(wsi) != 0 && lws_remaining_packet_payload(wsi) == 0
    return server.receive(id, bytes, final: final) ? 0 : -1
  case LWS_CALLBACK_SERVER_WRITEABLE:
    return server.writable(id) ? 0 : -1
  case LWS_CALLBACK_CLOSED:
    server.closed(id)
  case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
    server.drainInbox()
  case LWS_CALLBACK_HTTP:
    let path = input.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) } ?? "/"
    return server.beginHTTP(wsi, path: path)
  case LWS_CALLBACK_HTTP_BODY:
    return server.appendHTTPBody(wsi, UnsafeRawBufferPointer(start: input, count: length))
  case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    return server.completeHTTPBody(wsi)
  case LWS_CALLBACK_HTTP_WRITEABLE:
    return server.finishHTTP(wsi)
  default:
    break
  }
  return lws_callback_http_dummy(wsi, reason, user, input, length)
}

extension WebSocketServer {
  /// The path and bearer token of a WebSocket upgrade request.
  func upgradeRequest(_ wsi: OpaquePointer) -> (path: String, token: String?) {
    var buffer = [CChar](repeating: 0, count: 2048)
    let length = lws_hdr_copy(wsi, &buffer, Int32(buffer.count), WSI_TOKEN_GET_URI)
    let path = length > 0 ? String(cString: buffer) : "/"
    var index: Int32 = 0
    while lws_hdr_copy_fragment(wsi, &buffer, Int32(buffer.count), WSI_TOKEN_HTTP_URI_ARGS, index)
      >= 0
    {
      let argument = String(cString: buffer)
      if argument.hasPrefix("token=") { return (path, String(argument.dropFirst(6))) }
      index += 1
    }
    if lws_hdr_copy(wsi, &buffer, Int32(buffer.count), WSI_TOKEN_HTTP_AUTHORIZATION) > 0 {
      let header = String(cString: buffer)
      if header.lowercased().hasPrefix("bearer ") { return (path, String(header.dropFirst(7))) }
    }
    return (path, nil)
  }

  /// Starts an HTTP request: GETs are answered at once; POST bodies are collected first.
  func beginHTTP(_ wsi: OpaquePointer, path: String) -> Int32 {
    let isPost = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0
    // lws keeps each URL argument, already decoded, as one fragment "name=value".
    var parameters: [String: String] = [:]
    var fragment = [CChar](repeating: 0, count: 1024)
    var index: Int32 = 0
    while lws_hdr_copy_fragment(
      wsi, &fragment, Int32(fragment.count), WSI_TOKEN_HTTP_URI_ARGS, index) >= 0
    {
      let pair = String(cString: fragment).split(separator: "=", maxSplits: 1)
      if let name = pair.first { parameters[String(name)] = pair.count > 1 ? String(pair[1]) : "" }
      index += 1
    }
    var bearer: String?
    if lws_hdr_copy(wsi, &fragment, Int32(fragment.count), WSI_TOKEN_HTTP_AUTHORIZATION) > 0 {
      let header = String(
        decoding: fragment.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      if header.lowercased().hasPrefix("bearer ") { bearer = String(header.dropFirst(7)) }
    }
    let request = HTTPRequest(
      method: isPost ? "POST" : "GET", path: path, parameters: parameters, body: Data(),
      token: bearer)
    if isPost {
      httpRequests[wsi] = request
      return 0
    }
    return respondHTTP(wsi, request)
  }

  /// Collects a POST body, refusing one over the message limit.
  func appendHTTPBody(_ wsi: OpaquePointer, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    guard var request = httpRequests[wsi] else { return -1 }
    if request.body.count + bytes.count > configuration.maxMessageBytes {
      httpRequests[wsi] = nil
      return respondHTTP(wsi, nil, override: .text(413, "request body too large\n"))
    }
    request.body.append(contentsOf: bytes)
    httpRequests[wsi] = request
    return 0
  }

  func completeHTTPBody(_ wsi: OpaquePointer) -> Int32 {
    guard let request = httpRequests.removeValue(forKey: wsi) else { return 0 }
    return respondHTTP(wsi, request)
  }

  /// Asks the delegate for a response and writes its headers; the body follows when the
  /// socket is writable.
  private func respondHTTP(
    _ wsi: OpaquePointer, _ request: HTTPRequest?, override: HTTPResponse? = nil
  ) -> Int32 {
    let response =
      override ?? request.flatMap { delegate?.http($0) } ?? .text(503, "server not ready\n")
    let pre = Int(latitude_lws_pre)
    var buffer = [UInt8](repeating: 0, count: pre + 2048)
    let failed = buffer.withUnsafeMutableBufferPointer { raw -> Bool in
      let start = raw.baseAddress! + pre
      let end = raw.baseAddress! + raw.count
      var cursor: UnsafeMutablePointer<UInt8>? = start
      if lws_add_http_common_headers(
        wsi, UInt32(response.status), response.contentType, lws_filepos_t(response.body.count),
        &cursor, end) != 0
      {
        return true
      }
      return lws_finalize_write_http_header(wsi, start, &cursor, end) != 0
    }
    if failed { return 1 }
    httpResponses[wsi] = response
    lws_callback_on_writable(wsi)
    return 0
  }

  /// Writes the body of the pending HTTP response and ends the transaction.
  func finishHTTP(_ wsi: OpaquePointer) -> Int32 {
    guard let response = httpResponses.removeValue(forKey: wsi) else { return 0 }
    let pre = Int(latitude_lws_pre)
    var buffer = [UInt8](repeating: 0, count: pre + response.body.count)
    response.body.copyBytes(to: &buffer[pre], count: response.body.count)
    let written = buffer.withUnsafeMutableBufferPointer {
      lws_write(wsi, $0.baseAddress! + pre, response.body.count, LWS_WRITE_HTTP_FINAL)
    }
    if written != response.body.count { return -1 }
    return lws_http_transaction_completed(wsi) != 0 ? -1 : 0
  }
}
