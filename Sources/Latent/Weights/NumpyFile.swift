import Foundation

/// Errors reading a .npy file.
public enum NumpyError: Error, Equatable, CustomStringConvertible {
  case unreadable(String)
  case badHeader(String)
  case unsupported(String)

  public var description: String {
    switch self {
    case .unreadable(let path): "cannot read .npy file \(path)"
    case .badHeader(let detail): "bad .npy header: \(detail)"
    case .unsupported(let detail): "unsupported .npy array: \(detail)"
    }
  }
}

/// Reads and writes NumPy .npy files of little-endian float32 (or float64, on read), 1-D or
/// 2-D, C order.
public enum NumpyFile {
  /// The .npy bytes of a `rows × columns` float32 matrix.
  public static func encode(_ matrix: Matrix) -> Data {
    var header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (\(matrix.rows), \(matrix.columns)), }"
    // Magic (6) + version (2) + length (2) + header + newline, padded to a multiple of 64.
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
    let length = UInt16(header.utf8.count)
    data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
    data.append(contentsOf: header.utf8)
    matrix.values.withUnsafeBytes { data.append(contentsOf: $0) }
    return data
  }

  /// Reads a 1-D (as one row) or 2-D float array.
  /// - Throws: `NumpyError`.
  public static func readMatrix(_ path: String) throws(NumpyError) -> Matrix {
    guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else {
      throw .unreadable(path)
    }
    return try decode(data)
  }

  /// Parses .npy bytes of a 1-D (as one row) or 2-D float array.
  /// - Throws: `NumpyError`.
  public static func decode(_ data: Data) throws(NumpyError) -> Matrix {
    let bytes = [UInt8](data)
    guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
      throw .badHeader("missing magic")
    }
    let major = bytes[6]
    let headerStart = major == 1 ? 10 : 12
    guard bytes.count >= headerStart else { throw .badHeader("truncated") }
    let headerLength =
      major == 1
      ? Int(bytes[8]) | Int(bytes[9]) << 8
      : Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
    guard bytes.count >= headerStart + headerLength else { throw .badHeader("truncated") }
    let header = String(decoding: bytes[headerStart..<headerStart + headerLength], as: UTF8.self)
    guard !header.contains("'fortran_order': True") else { throw .unsupported("Fortran order") }
    let descr: String
    if header.contains("'<f4'") {
      descr = "f4"
    } else if header.contains("'<f8'") {
      descr = "f8"
    } else {
      throw .unsupported("dtype in \(header)")
    }
    guard let open = header.firstIndex(of: "("), let close = header.firstIndex(of: ")") else {
      throw .badHeader("no shape")
    }
    let dims = header[header.index(after: open)..<close].split(separator: ",")
      .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    let (rows, columns): (Int, Int)
    switch dims.count {
    case 1: (rows, columns) = (1, dims[0])
    case 2: (rows, columns) = (dims[0], dims[1])
    default: throw .unsupported("shape with \(dims.count) dimensions")
    }
    let start = headerStart + headerLength
    let width = descr == "f4" ? 4 : 8
    guard bytes.count - start == rows * columns * width else {
      throw .badHeader("data is \(bytes.count - start) bytes for shape \(dims)")
    }
    let values: [Float] = bytes[start...].withUnsafeBytes { raw in
      (0..<rows * columns).map { i in
        descr == "f4"
          ? raw.loadUnaligned(fromByteOffset: i * 4, as: Float.self)
          : Float(raw.loadUnaligned(fromByteOffset: i * 8, as: Double.self))
      }
    }
    return Matrix(rows: rows, columns: columns, values: values)
  }
}
