import LatentMath

/// Reads what `ByteWriter` wrote, with bounds checks that throw `StoreError.corrupt`.
struct ByteReader {
  private let buffer: UnsafeRawBufferPointer
  private(set) var offset = 0

  init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

  var isAtEnd: Bool { offset == buffer.count }

  private mutating func take(_ n: Int) throws(StoreError) -> UnsafeRawBufferPointer {
    guard n >= 0, n <= buffer.count - offset else {
      throw .corrupt("truncated record (wanted \(n) bytes at \(offset) of \(buffer.count))")
    }
    defer { offset += n }
    return UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + n])
  }

  mutating func byte() throws(StoreError) -> UInt8 { try take(1)[0] }

  mutating func bool() throws(StoreError) -> Bool {
    switch try byte() {
    case 0: return false
    case 1: return true
    case let other: throw .corrupt("bad flag byte \(other)")
    }
  }

  mutating func varint() throws(StoreError) -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      let next = try byte()
      guard shift < 64 else { throw .corrupt("varint too long") }
      result |= UInt64(next & 0x7f) << shift
      if next & 0x80 == 0 { return result }
      shift += 7
    }
  }

  mutating func count() throws(StoreError) -> Int {
    let value = try varint()
    guard value <= UInt64(buffer.count - offset) * 8 + 64 else {
      throw .corrupt("implausible length \(value)")
    }
    return Int(value)
  }

  mutating func float() throws(StoreError) -> Float {
    let raw = try take(4)
    var bits: UInt32 = 0
    withUnsafeMutableBytes(of: &bits) { $0.copyMemory(from: raw) }
    return Float(bitPattern: UInt32(littleEndian: bits))
  }

  mutating func string() throws(StoreError) -> String {
    let raw = try take(try count())
    return String(decoding: raw, as: UTF8.self)
  }

  mutating func latent() throws(StoreError) -> LatentVector {
    let n = try count()
    let raw = try take(n * 2)
    do {
      return try HalfPrecisionCodec.decode(raw)
    } catch {
      throw .corrupt("latent: \(error)")
    }
  }

  mutating func optional<T>(_ read: (inout ByteReader) throws(StoreError) -> T) throws(StoreError)
    -> T?
  {
    try bool() ? try read(&self) : nil
  }

  mutating func list<T>(_ read: (inout ByteReader) throws(StoreError) -> T) throws(StoreError)
    -> [T]
  {
    let n = try count()
    var values: [T] = []
    values.reserveCapacity(min(n, 1024))
    for _ in 0..<n { values.append(try read(&self)) }
    return values
  }
}
