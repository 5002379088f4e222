import Foundation

/// Errors reading a safetensors file.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
  /// The file could not be opened.
  case unreadable(path: String)
  /// The file ends before its header or its data does.
  case truncated(String)
  /// The JSON header is malformed.
  case badHeader(String)
  /// No tensor has this name.
  case missingTensor(String)
  /// The tensor has another shape than the model expects.
  case wrongShape(name: String, expected: [Int], actual: [Int])
  /// The tensor's dtype cannot be read as floats.
  case unsupportedDType(name: String, dtype: String)

  public var description: String {
    switch self {
    case .unreadable(let path): "cannot read safetensors file \(path)"
    case .truncated(let detail): "truncated safetensors file: \(detail)"
    case .badHeader(let detail): "bad safetensors header: \(detail)"
    case .missingTensor(let name): "safetensors file has no tensor '\(name)'"
    case .wrongShape(let name, let expected, let actual):
      "tensor '\(name)' has shape \(actual); expected \(expected)"
    case .unsupportedDType(let name, let dtype): "tensor '\(name)' has unsupported dtype \(dtype)"
    }
  }
}

/// A memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw data. F32, F16 and BF16
/// tensors load as Float32.
// @unchecked: the mapping is read-only and lives as long as any copy (never written after load).
public struct SafeTensors: @unchecked Sendable {
  /// One tensor's entry in the header.
  public struct Entry: Sendable, Equatable {
    /// "F32", "F16", "BF16", ...
    public var dtype: String
    /// Dimensions, outermost first.
    public var shape: [Int]
    /// Byte range within the data section.
    public var range: Range<Int>
  }

  /// Every tensor in the file, by name.
  public let entries: [String: Entry]
  private let data: Data
  private let dataStart: Int

  /// Maps and parses the file at `path`.
  /// - Throws: `SafeTensorsError` for an unreadable, truncated or malformed file.
  public init(contentsOf path: String) throws(SafeTensorsError) {
    guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    else {
      throw .unreadable(path: path)
    }
    try self.init(data: data)
  }

  /// Parses safetensors bytes.
  /// - Throws: `SafeTensorsError` for truncated or malformed bytes.
  public init(data: Data) throws(SafeTensorsError) {
    guard data.count >= 8 else { throw .truncated("\(data.count) bytes, no header length") }
    let headerLength = data.withUnsafeBytes {
      UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))
    }
    guard headerLength <= UInt64(data.count - 8) else {
      throw .truncated("header of \(headerLength) bytes in a \(data.count)-byte file")
    }
    let headerEnd = 8 + Int(headerLength)
    let header = data.subdata(in: 8..<headerEnd)
    guard let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any] else {
      throw .badHeader("not a JSON object")
    }
    var entries: [String: Entry] = [:]
    for (name, value) in object where name != "__metadata__" {
      guard let fields = value as? [String: Any], let dtype = fields["dtype"] as? String,
        let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int],
        offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1], shape.allSatisfy({ $0 >= 0 })
      else { throw .badHeader("entry '\(name)' lacks dtype, shape or data_offsets") }
      guard headerEnd + offsets[1] <= data.count else {
        throw .truncated("tensor '\(name)' ends at byte \(headerEnd + offsets[1]) of \(data.count)")
      }
      if let size = Self.elementSize(dtype) {
        let elements = shape.reduce(1, *)
        guard elements * size == offsets[1] - offsets[0] else {
          throw .badHeader(
            "tensor '\(name)' holds \(offsets[1] - offsets[0]) bytes for shape \(shape)")
        }
      }
      entries[name] = Entry(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
    }
    self.entries = entries
    self.data = data
    self.dataStart = headerEnd
  }

  /// The tensor's values as Float32, after checking its shape.
  /// - Throws: `SafeTensorsError.missingTensor`, `.wrongShape` or `.unsupportedDType`.
  public func floats(_ name: String, shape expected: [Int]) throws(SafeTensorsError) -> [Float] {
    guard let entry = entries[name] else { throw .missingTensor(name) }
    guard entry.shape == expected else {
      throw .wrongShape(name: name, expected: expected, actual: entry.shape)
    }
    let count = entry.shape.reduce(1, *)
    let start = dataStart + entry.range.lowerBound
    let dtype = entry.dtype
    guard ["F32", "F16", "BF16"].contains(dtype) else {
      throw .unsupportedDType(name: name, dtype: dtype)
    }
    return data.withUnsafeBytes { raw in
      let bytes = UnsafeRawBufferPointer(rebasing: raw[start..<start + entry.range.count])
      return [Float](unsafeUninitializedCapacity: count) { out, initialized in
        switch dtype {
        case "F32":
          // Little-endian hosts only (x86_64, arm64), like the format itself.
          UnsafeMutableRawBufferPointer(out).copyMemory(from: bytes)
        case "F16":
          for i in 0..<count {
            out[i] = Float(
              Float16(bitPattern: bytes.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
          }
        default:
          for i in 0..<count {
            let bits = UInt32(bytes.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) << 16
            out[i] = Float(bitPattern: bits)
          }
        }
        initialized = count
      }
    }
  }

  private static func elementSize(_ dtype: String) -> Int? {
    switch dtype {
    case "F64", "I64", "U64": 8
    case "F32", "I32", "U32": 4
    case "F16", "BF16", "I16", "U16": 2
    case "I8", "U8", "BOOL": 1
    default: nil
    }
  }
}
