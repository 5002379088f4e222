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
  case LWS_CALLBACK_HTTP_WRITEABLE:
    return server.finishHTTP(wsi)
  default:
    break
  }
  return lws_callback_http_dummy(wsi, reason, user, input, length)
}

extension WebSocketServer {
  /// Asks the delegate for a response and writes its headers; the body follows when the
  /// socket is writable.
  func beginHTTP(_ wsi: OpaquePointer, path: String) -> Int32 {
    let method = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0 ? "POST" : "GET"
    let response =
      delegate?.http(method: method, path: path) ?? .text(503, "server not ready\n")
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
