import Foundation

/// Reads a little-endian binary file front to back, bounds-checked: every read names how
/// many bytes it needs, and a short file fails with `fail("<path> is truncated")`.
struct BinaryFileReader {
  let data: Data
  let path: String
  /// The error for a malformed file (the bank's, the fluency model's).
  let fail: (String) -> DecoderError
  var offset = 0

  init(data: Data, path: String, fail: @escaping (String) -> DecoderError) {
    self.data = data
    self.path = path
    self.fail = fail
  }

  /// Bytes not read yet.
  var remaining: Int { data.count - offset }

  mutating func bytes(_ count: Int) throws(DecoderError) -> Data {
    guard count >= 0, count <= remaining else { throw fail("\(path) is truncated") }
    defer { offset += count }
    return data.subdata(in: data.startIndex + offset..<data.startIndex + offset + count)
  }

  mutating func uint32() throws(DecoderError) -> UInt32 {
    try array(UInt32.self, 1)[0]
  }

  mutating func array<T: BitwiseCopyable>(_ type: T.Type, _ count: Int) throws(DecoderError) -> [T]
  {
    guard count >= 0, count <= remaining / MemoryLayout<T>.stride else {
      throw fail("\(path) is truncated")
    }
    let chunk = try bytes(count * MemoryLayout<T>.stride)
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      chunk.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
      initialized = count
    }
  }
}
