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
    // Protocol v1 is JSON text frames: a binary frame is refused with 1003 (RFC 6455 7.4.1).
    if lws_frame_is_binary(wsi) != 0 { return server.refuseBinary(id) }
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
    return server.writeHTTP(wsi)
  case LWS_CALLBACK_CLOSED_HTTP:
    server.endHTTP(wsi)
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
}
