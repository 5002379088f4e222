import Canvas
import Foundation

/// The first line of an NDJSON export.
public struct ExportHeader: Codable, Sendable, Equatable {
  /// Always "latitude.ops".
  public var format: String
  /// Format version; this build writes and reads 1.
  public var version: Int
  /// The document's metadata at export time.
  public var document: DocumentInfo

  static let formatName = "latitude.ops"
}

/// One op line of an NDJSON export.
struct ExportLine: Codable {
  var seq: Int64
  var op: Op
}

extension CanvasStore {
  /// Writes the document as NDJSON: a header line, then one line per op in seq order.
  /// Streams; memory stays bounded whatever the log's length.
  /// - Parameter write: receives chunks of UTF-8 text.
  /// - Returns: the number of ops written.
  @discardableResult
  public func exportNDJSON(_ document: DocumentID, write: (Data) throws -> Void)
    throws(StoreError) -> Int64
  {
    let info = try requireDocument(document)
    let encoder = JSONEncoder.sorted
    var buffer = Data()
    var count: Int64 = 0
    try StoreError.wrap {
      buffer.append(
        try encoder.encode(
          ExportHeader(format: ExportHeader.formatName, version: 1, document: info)))
      buffer.append(0x0A)
      try forEachOp(document, from: 1, through: info.headSeq) { entry in
        buffer.append(try encoder.encode(ExportLine(seq: entry.seq, op: entry.op)))
        buffer.append(0x0A)
        count += 1
        if buffer.count >= 1 << 20 {
          try write(buffer)
          buffer.removeAll(keepingCapacity: true)
        }
      }
      if !buffer.isEmpty { try write(buffer) }
    }
    return count
  }

  /// Imports an NDJSON export as a new document, in one transaction: all or nothing.
  /// Ops are checked by validation only (they were live-checked when first logged), and
  /// get the same dense seqs, so the imported state equals the exported one.
  /// - Parameters:
  ///   - lines: the file's lines, in order.
  ///   - documentID: the new document's id; defaults to the id in the header.
  /// - Returns: the new document's metadata.
  /// - Throws: `StoreError.badImport` naming the first bad line; `.documentExists`.
  @discardableResult
  public func importNDJSON(
    lines: some Sequence<Substring>, as documentID: DocumentID? = nil
  ) throws(StoreError) -> DocumentInfo {
    let decoder = JSONDecoder()
    var iterator = lines.makeIterator()
    guard let first = iterator.next() else { throw .badImport(line: 1, reason: "file is empty") }
    let header: ExportHeader
    do {
      header = try decoder.decode(ExportHeader.self, from: Data(first.utf8))
    } catch {
      throw .badImport(line: 1, reason: "not a Latitude export header (\(Self.describe(error)))")
    }
    guard header.format == ExportHeader.formatName, header.version == 1 else {
      throw .badImport(line: 1, reason: "unsupported format \(header.format) v\(header.version)")
    }
    var info = header.document
    info.id = documentID ?? info.id
    info.headSeq = 0
    info.maxLamport = 0
    let target = info.id
    try write { db in
      do {
        try db.transaction {
          try insertDocument(info, db)
          var lineNumber = 1
          var batch: [Op] = []
          var expectedSeq: Int64 = 1
          func flush() throws {
            let outcomes = try appendLocked(
              [
                AppendRequest(
                  document: target, ops: batch, mode: .trusted, limits: configuration.limits)
              ], db
            ).outcomes[0]
            for (offset, outcome) in outcomes.enumerated() {
              let line = lineNumber - batch.count + offset + 1
              switch outcome {
              case .committed: break
              case .duplicate(let seq):
                throw StoreError.badImport(line: line, reason: "op id repeats the op at seq \(seq)")
              case .rejected(let why):
                throw StoreError.badImport(line: line, reason: why.description)
              }
            }
            batch.removeAll(keepingCapacity: true)
          }
          while let line = iterator.next() {
            lineNumber += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            let entry: ExportLine
            do {
              entry = try decoder.decode(ExportLine.self, from: Data(line.utf8))
            } catch {
              throw StoreError.badImport(line: lineNumber, reason: Self.describe(error))
            }
            guard entry.seq == expectedSeq else {
              throw StoreError.badImport(
                line: lineNumber, reason: "expected seq \(expectedSeq), found \(entry.seq)")
            }
            expectedSeq += 1
            batch.append(entry.op)
            if batch.count == 4_096 { try flush() }
          }
          if !batch.isEmpty { try flush() }
        }
        scheduleSnapshots([target])
        db.committed(bytes: 1 << 30)
      } catch {
        writerDocuments[target] = nil
        throw error
      }
    }
    return try requireDocument(target)
  }

  static func describe(_ error: any Error) -> String {
    switch error {
    case let error as ValidationError: error.description
    case DecodingError.keyNotFound(let key, _): "missing field '\(key.stringValue)'"
    case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
      "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
    case DecodingError.dataCorrupted(let context): context.debugDescription
    default: "\(error)"
    }
  }
}
