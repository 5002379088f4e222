import WasmKit

/// Checked access to a WebAssembly instance's linear memory. Every offset and length comes
/// from the plugin or is computed from its counts, so each access is checked against the
/// memory's size at the moment of access (memory may have grown, and moved, since the last
/// one); a range outside it is a `WasmFault`, never a host read or write out of bounds.
struct GuestMemory {
  let memory: Memory

  /// The byte range `offset ..< offset + count`, if it lies inside the memory.
  private func checked(_ offset: UInt32, _ count: Int, _ what: @autoclosure () -> String)
    throws(WasmFault) -> UInt
  {
    let (end, overflow) = Int(offset).addingReportingOverflow(count)
    guard count >= 0, !overflow, end <= memory.byteCount else { throw .outOfBounds(what()) }
    return UInt(offset)
  }

  /// `count` floats at `offset`.
  func floats(at offset: UInt32, count: Int, _ what: @autoclosure () -> String) throws(WasmFault)
    -> [Float]
  {
    let (bytes, overflow) = count.multipliedReportingOverflow(by: 4)
    guard !overflow else { throw .outOfBounds(what()) }
    let start = try checked(offset, bytes, what())
    return memory.withUnsafeBufferPointer(offset: start, count: bytes) { raw in
      (0..<count).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
    }
  }

  /// Writes `values` at `offset`.
  func write(_ values: [Float], at offset: UInt32, _ what: @autoclosure () -> String)
    throws(WasmFault)
  {
    let start = try checked(offset, values.count * 4, what())
    memory.withUnsafeMutableBufferPointer(offset: start, count: values.count * 4) { raw in
      for (index, value) in values.enumerated() {
        raw.storeBytes(of: value, toByteOffset: index * 4, as: Float.self)
      }
    }
  }

  /// The little-endian 32-bit word at `offset`.
  func word(at offset: UInt32, _ what: @autoclosure () -> String) throws(WasmFault) -> UInt32 {
    let start = try checked(offset, 4, what())
    return memory.withUnsafeBufferPointer(offset: start, count: 4) {
      UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))
    }
  }

  /// `count` words at `offset`.
  func words(at offset: UInt32, count: Int, _ what: @autoclosure () -> String) throws(WasmFault)
    -> [UInt32]
  {
    let start = try checked(offset, count * 4, what())
    return memory.withUnsafeBufferPointer(offset: start, count: count * 4) { raw in
      (0..<count).map {
        UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))
      }
    }
  }

  /// Writes words at `offset`.
  func write(words: [UInt32], at offset: UInt32, _ what: @autoclosure () -> String)
    throws(WasmFault)
  {
    let start = try checked(offset, words.count * 4, what())
    memory.withUnsafeMutableBufferPointer(offset: start, count: words.count * 4) { raw in
      for (index, word) in words.enumerated() {
        raw.storeBytes(of: word.littleEndian, toByteOffset: index * 4, as: UInt32.self)
      }
    }
  }

  /// `count` bytes at `offset`.
  func bytes(at offset: UInt32, count: Int, _ what: @autoclosure () -> String) throws(WasmFault)
    -> [UInt8]
  {
    let start = try checked(offset, count, what())
    return memory.withUnsafeBufferPointer(offset: start, count: count) { Array($0) }
  }

  /// Writes bytes at `offset`.
  func write(bytes: [UInt8], at offset: UInt32, _ what: @autoclosure () -> String)
    throws(WasmFault)
  {
    let start = try checked(offset, bytes.count, what())
    memory.withUnsafeMutableBufferPointer(offset: start, count: bytes.count) { raw in
      raw.copyBytes(from: bytes)
    }
  }

  /// The NUL-terminated string at `offset`, which must end within `limit` bytes (and inside
  /// the memory). Invalid UTF-8 is repaired.
  func string(at offset: UInt32, limit: Int, _ what: @autoclosure () -> String) throws(WasmFault)
    -> String
  {
    guard offset != 0 else { throw WasmFault("passed a NULL \(what())") }
    let available = memory.byteCount - Int(offset)
    guard available > 0 else { throw .outOfBounds(what()) }
    let span = min(available, limit + 1)
    let text: [UInt8]? = memory.withUnsafeBufferPointer(offset: UInt(offset), count: span) { raw in
      raw.firstIndex(of: 0).map { Array(raw[..<$0]) }
    }
    guard let text else {
      throw WasmFault("passed \(what()) that is not NUL-terminated within \(limit) bytes")
    }
    return String(decoding: text, as: UTF8.self)
  }
}
