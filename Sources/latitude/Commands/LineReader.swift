import CommandSupport
import Foundation

/// Lines of a file, read in 1 MiB chunks so a large import never sits in memory whole.
/// Lines are split on "\n"; a final line without one is still returned.
struct LineReader: Sequence, IteratorProtocol {
  private let handle: FileHandle
  private var buffer: [UInt8] = []
  private var position = 0
  private var atEOF = false

  init(handle: FileHandle) { self.handle = handle }

  mutating func next() -> Substring? {
    while true {
      if let newline = buffer[position...].firstIndex(of: 0x0A) {
        defer { position = newline + 1 }
        return Substring(String(decoding: buffer[position..<newline], as: UTF8.self))
      }
      if atEOF {
        guard position < buffer.count else { return nil }
        defer { position = buffer.count }
        return Substring(String(decoding: buffer[position...], as: UTF8.self))
      }
      buffer.removeFirst(position)
      position = 0
      let chunk = handle.readData(ofLength: 1 << 20)
      if chunk.isEmpty { atEOF = true } else { buffer.append(contentsOf: chunk) }
    }
  }
}
