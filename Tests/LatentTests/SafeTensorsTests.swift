import Foundation
import Latent
import Testing

@Suite struct SafeTensorsTests {
  /// Builds safetensors bytes from a header object and raw data.
  static func file(_ header: String, data: [UInt8]) -> Data {
    var bytes = Data()
    var length = UInt64(header.utf8.count).littleEndian
    withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: header.utf8)
    bytes.append(contentsOf: data)
    return bytes
  }

  static let twoFloats: [UInt8] = [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0]  // 1.0, -2.0

  @Test func readsF32F16AndBF16() throws {
    let header =
      #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F16","shape":[1,2],"data_offsets":[8,12]},"c":{"dtype":"BF16","shape":[2],"data_offsets":[12,16]},"__metadata__":{"format":"pt"}}"#
    let data = Self.twoFloats + [0x00, 0x3C, 0x00, 0xC0] + [0x80, 0x3F, 0x00, 0xC0]
    let file = try SafeTensors(data: Self.file(header, data: data))
    #expect(try file.floats("a", shape: [2]) == [1, -2])
    #expect(try file.floats("b", shape: [1, 2]) == [1, -2])
    #expect(try file.floats("c", shape: [2]) == [1, -2])
  }

  static let broken: [(String, Data, String)] = [
    ("too short for a length", Data([1, 2, 3]), "truncated"),
    ("header past the end", file(#"{"a":1}"#, data: []).prefix(10), "truncated"),
    ("not JSON", file("{nope", data: []), "header"),
    (
      "entry without offsets", file(#"{"a":{"dtype":"F32","shape":[2]}}"#, data: twoFloats),
      "header"
    ),
    (
      "data past the end",
      file(#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: twoFloats),
      "truncated"
    ),
    (
      "size does not fit shape",
      file(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: twoFloats), "header"
    ),
  ]

  @Test("bad files give clear errors", arguments: broken)
  func badFiles(name: String, data: Data, message: String) {
    do {
      _ = try SafeTensors(data: data)
      Issue.record("\(name) was accepted")
    } catch {
      #expect(error.description.contains(message), "\(name): \(error)")
    }
  }

  @Test func missingAndMisShapedTensors() throws {
    let file = try SafeTensors(
      data: Self.file(
        #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: Self.twoFloats))
    #expect(throws: SafeTensorsError.missingTensor("b")) { try file.floats("b", shape: [2]) }
    #expect(throws: SafeTensorsError.wrongShape(name: "a", expected: [1, 2], actual: [2])) {
      try file.floats("a", shape: [1, 2])
    }
    let ints = try SafeTensors(
      data: Self.file(
        #"{"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: Self.twoFloats))
    #expect(throws: SafeTensorsError.unsupportedDType(name: "i", dtype: "I64")) {
      try ints.floats("i", shape: [1])
    }
  }

  @Test func missingWeightsSayWhatToRun() {
    #expect(throws: EncoderError.self) { try SentenceEncoder(directory: "/nonexistent/encoder") }
    do {
      _ = try SentenceEncoder(directory: "/nonexistent/encoder")
    } catch {
      #expect(error.description.contains("make weights"))
    }
  }

  @Test func numpyRoundTrip() throws {
    let matrix = Matrix(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, -6.5])
    let decoded = try NumpyFile.decode(NumpyFile.encode(matrix))
    #expect(decoded == matrix)
    #expect(NumpyFile.encode(matrix).count % 64 == 24)  // header padded to 64, then 24 data bytes
    #expect(throws: NumpyError.self) { try NumpyFile.decode(Data([1, 2, 3])) }
  }
}
