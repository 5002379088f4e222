import CommandSupport
import Foundation

/// A minimal WebSocket client for the load generator: blocking connect and handshake,
/// masked text or binary frames out, unmasked data frames in, parsed from a read buffer. Just enough
/// protocol for `bench fanout`; not for production use.
final class WebSocketLoadClient {
  let fd: Int32
  private var buffer: [UInt8] = []
  private var start = 0
  private var chunk = [UInt8](repeating: 0, count: 1 << 16)
  private var mask: UInt32 = 0x1234_5678

  /// Connects to 127.0.0.1:`port` and upgrades on `path`.
  init(port: Int, path: String) throws {
    fd = try connectLoopback(port: port)
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    let request =
      "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    try writeAll(Array(request.utf8))
    var response: [UInt8] = []
    var byte: UInt8 = 0
    while !(response.count >= 4 && response.suffix(4) == [13, 10, 13, 10]) {
      guard read(fd, &byte, 1) == 1 else { throw CLIError("handshake failed") }
      response.append(byte)
    }
    guard String(decoding: response, as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
      throw CLIError("upgrade refused: \(String(decoding: response.prefix(40), as: UTF8.self))")
    }
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
  }

  deinit { close(fd) }

  /// Sends one masked text frame (blocking until written).
  func send(_ text: String) throws {
    try send(bytes: Array(text.utf8), opcode: 0x1)
  }

  /// Sends one masked frame with the given opcode (1 text, 2 binary).
  func send(bytes payload: [UInt8], opcode: UInt8) throws {
    var frame: [UInt8] = [0x80 | opcode]
    if payload.count < 126 {
      frame.append(0x80 | UInt8(payload.count))
    } else if payload.count <= 0xFFFF {
      frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    } else {
      frame.append(0x80 | 127)
      frame += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
    }
    mask = mask &* 1_103_515_245 &+ 12345
    let key = withUnsafeBytes(of: mask) { Array($0) }
    frame += key
    frame += payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
    try writeAll(frame)
  }

  private func writeAll(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if written > 0 {
        offset += written
      } else if errno == EAGAIN || errno == EWOULDBLOCK {
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        _ = poll(&descriptor, 1, 100)
      } else {
        throw CLIError("write failed: \(errno)")
      }
    }
  }

  /// Reads what is available and returns the complete text messages in it.
  /// - Returns: nil when the server closed the connection.
  func receive() -> [ArraySlice<UInt8>]? {
    while true {
      let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if count > 0 {
        buffer += chunk[0..<count]
        continue
      }
      if count == 0 { return nil }
      break
    }
    var messages: [ArraySlice<UInt8>] = []
    while buffer.count - start >= 2 {
      let opcode = buffer[start] & 0x0F
      var length = Int(buffer[start + 1] & 0x7F)
      var header = 2
      if length == 126 {
        guard buffer.count - start >= 4 else { break }
        length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
        header = 4
      } else if length == 127 {
        guard buffer.count - start >= 10 else { break }
        length = (0..<8).reduce(0) { $0 << 8 | Int(buffer[start + 2 + $1]) }
        header = 10
      }
      guard buffer.count - start >= header + length else { break }
      if opcode == 1 || opcode == 2 {
        messages.append(buffer[(start + header)..<(start + header + length)])
      }
      if opcode == 8 { return nil }
      start += header + length
    }
    return messages
  }

  /// Drops the bytes of messages already returned; call after handling them.
  func compact() {
    if start > 0 && start == buffer.count {
      buffer.removeAll(keepingCapacity: true)
      start = 0
    } else if start > 1 << 20 {
      buffer.removeFirst(start)
      start = 0
    }
  }
}
