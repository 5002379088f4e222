import LatentMath

/// Appends the compact binary encoding used for stored payloads and snapshots.
struct ByteWriter {
  private(set) var bytes: [UInt8] = []

  init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

  mutating func byte(_ value: UInt8) { bytes.append(value) }

  mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

  /// LEB128 unsigned varint.
  mutating func varint(_ value: UInt64) {
    var rest = value
    while rest >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
      rest >>= 7
    }
    bytes.append(UInt8(rest))
  }

  mutating func count(_ value: Int) { varint(UInt64(value)) }

  mutating func float(_ value: Float) {
    withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
  }

  mutating func string(_ value: String) {
    count(value.utf8.count)
    bytes.append(contentsOf: value.utf8)
  }

  mutating func latent(_ value: LatentVector) {
    count(value.count)
    value.halves.withUnsafeBytes { bytes.append(contentsOf: $0) }
  }

  /// Writes a presence flag, then the value if present.
  mutating func optional<T>(_ value: T?, _ write: (inout ByteWriter, T) -> Void) {
    bool(value != nil)
    if let value { write(&self, value) }
  }

  mutating func list<T>(_ values: [T], _ write: (inout ByteWriter, T) -> Void) {
    count(values.count)
    for value in values { write(&self, value) }
  }
}
