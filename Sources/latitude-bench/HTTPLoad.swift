import CommandSupport
import Dispatch
import Foundation
import Latent
import Synchronization

/// The REST load of `bench fanout --http-load`: one thread posting 256-text `/v1/encode`
/// requests and reading `/state` of a large document, in a loop, while the drag latency is
/// measured again. Plain HTTP/1.1 over a socket (the server answers one request per
/// connection and closes it).
final class HTTPLoad: Sendable {
  private let port: Int
  private let document: String
  private let stopping = Atomic<Bool>(false)
  private let done = DispatchSemaphore(value: 0)
  private let counts = Mutex((requests: 0, failures: 0, seconds: 0.0))

  init(port: Int, document: String) {
    self.port = port
    self.document = document
  }

  /// Starts the loop on its own thread.
  func start() {
    let thread = Thread { [self] in
      let texts = (0..<256).map { "Sentence number \($0) about a delayed flight and a long wait." }
      let body = try? JSONEncoder().encode(["texts": texts])
      var index = 0
      while !stopping.load(ordering: .relaxed) {
        let started = DispatchTime.now()
        let status =
          index % 2 == 0
          ? Self.request(port: port, method: "POST", path: "/v1/encode", body: body ?? Data())
          : Self.request(port: port, method: "GET", path: "/v1/docs/\(document)/state", body: nil)
        let seconds = secondsSince(started)
        counts.withLock {
          $0.requests += 1
          $0.seconds += seconds
          if status != 200 { $0.failures += 1 }
        }
        index += 1
      }
      done.signal()
    }
    thread.name = "bench-http-load"
    thread.start()
  }

  /// Stops the loop after its request in flight; returns requests, failures and mean ms.
  func stop() -> (requests: Int, failures: Int, meanMs: Double) {
    stopping.store(true, ordering: .relaxed)
    done.wait()
    let c = counts.withLock { $0 }
    return (c.requests, c.failures, c.requests == 0 ? 0 : c.seconds * 1000 / Double(c.requests))
  }

  /// One request; the response status, or 0 when the exchange failed.
  static func request(port: Int, method: String, path: String, body: Data?) -> Int {
    guard let fd = try? connectLoopback(port: port) else { return 0 }
    defer { close(fd) }
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
    let bytes = [UInt8]((head + "\r\n").utf8) + [UInt8](body ?? Data())
    var sent = 0
    while sent < bytes.count {
      let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      guard n > 0 else { return 0 }
      sent += n
    }
    var response: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = read(fd, &chunk, chunk.count)
      guard n > 0 else { break }
      response += chunk[..<n]
    }
    // "HTTP/1.1 200 OK": the status is the second word.
    let line = String(decoding: response.prefix(32), as: UTF8.self)
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
  }
}
