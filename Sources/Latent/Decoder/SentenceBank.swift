import Foundation

/// Train-split sentences with their embeddings, int8-quantised (one scale per row), so the
/// nearest sentences to any point can be found by a SIMD scan. The decode pipeline offers
/// them as candidates next to generated text; they never come from the test split.
///
/// File layout (little-endian): the 8 bytes "LTBANK1\n"; a UInt32 length and a JSON
/// `Header`; `count` Float32 scales; `count × dimension` Int8 values; `count + 1` UInt32
/// byte offsets into the UTF-8 texts that follow.
public struct SentenceBank: Sendable {
  /// What the file says about itself.
  public struct Header: Codable, Sendable, Equatable {
    /// The encoder whose embeddings these are.
    public var encoder: String
    /// Embedding width.
    public var dimension: Int
    /// Sentences.
    public var count: Int
    /// Where the sentences came from, e.g. "train split, seeded sample (seed 1)".
    public var source: String
  }

  static let magic = Data("LTBANK1\n".utf8)
  /// The file's header.
  public let header: Header
  /// The sentences, by row.
  public let texts: [String]
  let scales: [Float]
  let values: [Int8]

  /// The default location of the committed bank.
  public static let defaultPath = "Weights/bank/train-48k.bank"

  /// Sentences in the bank.
  public var count: Int { header.count }

  /// Quantises `vectors` (one per text, all `dimension` long) into a bank.
  public init(texts: [String], vectors: [[Float]], encoder: String, source: String) {
    let dimension = vectors.first?.count ?? 0
    header = Header(encoder: encoder, dimension: dimension, count: texts.count, source: source)
    self.texts = texts
    var scales: [Float] = []
    var values: [Int8] = []
    values.reserveCapacity(texts.count * dimension)
    for vector in vectors {
      let peak = vector.map(abs).max() ?? 0
      let scale = peak > 0 ? peak / 127 : 1
      scales.append(scale)
      values.append(contentsOf: vector.map { Int8(max(-127, min(127, ($0 / scale).rounded()))) })
    }
    self.scales = scales
    self.values = values
  }

  /// Reads a bank file.
  /// - Throws: `DecoderError.missingFile` or `.badBank` naming what is wrong.
  public init(contentsOf path: String) throws(DecoderError) {
    guard FileManager.default.fileExists(atPath: path) else { throw .missingFile(path) }
    guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    else { throw .badBank("\(path) is unreadable") }
    var reader = BinaryFileReader(data: data, path: path) { DecoderError.badBank($0) }
    guard try reader.bytes(8) == Self.magic else { throw .badBank("\(path) is not a bank file") }
    let headerLength = Int(try reader.uint32())
    do {
      header = try JSONDecoder().decode(Header.self, from: try reader.bytes(headerLength))
    } catch let error as DecoderError {
      throw error
    } catch {
      throw .badBank("\(path): bad header: \(error)")
    }
    let (n, d) = (header.count, header.dimension)
    guard n >= 0, d > 0, n < 1 << 28 else { throw .badBank("\(path): bad count or dimension") }
    scales = try reader.array(Float.self, n)
    values = try reader.array(Int8.self, n * d)
    let offsets = try reader.array(UInt32.self, n + 1)
    let body = try reader.bytes(Int(offsets[n]))
    var texts: [String] = []
    texts.reserveCapacity(n)
    for row in 0..<n {
      let (start, end) = (Int(offsets[row]), Int(offsets[row + 1]))
      guard start <= end, end <= body.count else { throw .badBank("\(path): bad text offsets") }
      texts.append(
        String(decoding: body[body.startIndex + start..<body.startIndex + end], as: UTF8.self))
    }
    self.texts = texts
  }

  /// The file's bytes.
  public func serialized() -> Data {
    var data = Self.magic
    let headerData = (try? JSONEncoder().encode(header)) ?? Data()
    data.append(littleEndian: UInt32(headerData.count))
    data.append(headerData)
    scales.withUnsafeBufferPointer { data.append(Data(buffer: $0)) }
    values.withUnsafeBufferPointer { data.append(Data(buffer: $0)) }
    var offsets: [UInt32] = [0]
    var body = Data()
    for text in texts {
      body.append(Data(text.utf8))
      offsets.append(UInt32(body.count))
    }
    offsets.withUnsafeBufferPointer { data.append(Data(buffer: $0)) }
    data.append(body)
    return data
  }

  /// The `k` rows nearest to the unit vector `target`, best first, with their approximate
  /// cosines (int8 error is about 0.003). One pass of a SIMD int8 × float kernel.
  public func nearest(to target: [Float], k: Int) -> [(row: Int, cosine: Float)] {
    let d = header.dimension
    guard target.count == d, k > 0, count > 0 else { return [] }
    var best: [(row: Int, cosine: Float)] = []
    best.reserveCapacity(k + 1)
    values.withUnsafeBufferPointer { rows in
      target.withUnsafeBufferPointer { query in
        for row in 0..<count {
          let score = Self.dot(rows.baseAddress! + row * d, query.baseAddress!, d) * scales[row]
          Self.keep(&best, row: row, score: score, k: k)
        }
      }
    }
    return best
  }

  /// `nearest(to:k:)` for each of several unit vectors in one pass over the bank: each row is
  /// widened from int8 once and multiplied with every target, so N targets cost less than
  /// N scans (`latitude bench kernels`: `bank_scan_speedup_bN`). The same rows and scores
  /// as one scan per target, up to float rounding (summation order).
  public func nearest(toEach targets: [[Float]], k: Int) -> [[(row: Int, cosine: Float)]] {
    let d = header.dimension
    let valid = targets.indices.filter { targets[$0].count == d }
    var found = targets.map { _ in [(row: Int, cosine: Float)]() }
    guard k > 0, count > 0, !valid.isEmpty else { return found }
    if valid.count == 1 {
      found[valid[0]] = nearest(to: targets[valid[0]], k: k)
      return found
    }
    var queries = [Float](repeating: 0, count: valid.count * d)
    for (slot, index) in valid.enumerated() {
      queries.replaceSubrange(slot * d..<(slot + 1) * d, with: targets[index])
    }
    var best = valid.map { _ in [(row: Int, cosine: Float)]() }
    // The score a row must beat to enter each target's top k (−∞ until it has k).
    var floors = [Float](repeating: -.infinity, count: valid.count)
    var widened = [Float](repeating: 0, count: d)
    values.withUnsafeBufferPointer { rows in
      queries.withUnsafeBufferPointer { queries in
        widened.withUnsafeMutableBufferPointer { widened in
          floors.withUnsafeMutableBufferPointer { floors in
            for row in 0..<count {
              Self.widen(rows.baseAddress! + row * d, into: widened.baseAddress!, d)
              let scale = scales[row]
              for slot in 0..<floors.count {
                let score =
                  VectorMath.dot(widened.baseAddress!, queries.baseAddress! + slot * d, d) * scale
                guard score > floors[slot] else { continue }
                Self.keep(&best[slot], row: row, score: score, k: k)
                if best[slot].count == k { floors[slot] = best[slot][k - 1].cosine }
              }
            }
          }
        }
      }
    }
    for (slot, index) in valid.enumerated() { found[index] = best[slot] }
    return found
  }

  /// Inserts `(row, score)` into `best` (sorted, best first) if it is among the top `k`.
  @inline(__always)
  private static func keep(
    _ best: inout [(row: Int, cosine: Float)], row: Int, score: Float, k: Int
  ) {
    guard best.count < k || score > best[best.count - 1].cosine else { return }
    let at = best.firstIndex { $0.cosine < score } ?? best.count
    best.insert((row, score), at: at)
    if best.count > k { best.removeLast() }
  }

  /// One bank row widened to Float32.
  @inline(__always)
  static func widen(_ a: UnsafePointer<Int8>, into out: UnsafeMutablePointer<Float>, _ count: Int) {
    var i = 0
    let raw = UnsafeRawPointer(a)
    let rawOut = UnsafeMutableRawPointer(out)
    while i + 16 <= count {
      let x = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<Int8>.self)
      rawOut.storeBytes(
        of: SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: x)), toByteOffset: i * 4,
        as: SIMD16<Float>.self)
      i += 16
    }
    while i < count {
      out[i] = Float(a[i])
      i += 1
    }
  }

  @inline(__always)
  static func dot(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var sum = SIMD16<Float>()
    var i = 0
    let rawA = UnsafeRawPointer(a)
    let rawB = UnsafeRawPointer(b)
    while i + 16 <= count {
      let x = rawA.loadUnaligned(fromByteOffset: i, as: SIMD16<Int8>.self)
      let y = rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
      sum += SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: x)) * y
      i += 16
    }
    var total = sum.sum()
    while i < count {
      total += Float(a[i]) * b[i]
      i += 1
    }
    return total
  }
}

/// Sequential reads of a bank file, failing with `.badBank` at a short read.
extension Data {
  fileprivate mutating func append(littleEndian value: UInt32) {
    Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
  }
}
