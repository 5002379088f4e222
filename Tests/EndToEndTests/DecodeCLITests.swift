import Foundation
import Testing

/// `latitude decode` and `latitude roundtrip` against the committed decoder and bank.
@Suite struct DecodeCLITests {
  @Test func decodeTextPrintsTextAndFidelity() throws {
    let result = try CLIProcess.run(["decode", "--text", "The soup was cold.", "--candidates", "3"])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count >= 2)
    #expect(!(lines.first ?? "").isEmpty)
    let fidelity = String(lines.dropFirst().first ?? "")
    #expect(
      fidelity.wholeMatch(
        of: /fidelity (0\.\d{3}|1\.000) \((generated|bank)\), fluency -?\d+\.\d{3}/) != nil,
      "\(result.stdout)")
  }

  @Test func decodeJSONFromAnEncodedVector() throws {
    let folder = try CLIProcess.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let encoded = try CLIProcess.run(["encode", "I loved every minute of this film."])
    #expect(encoded.status == 0, "\(encoded.stderr)")
    let file = folder.appendingPathComponent("v.json")
    try Data(encoded.stdout.utf8).write(to: file)
    let result = try CLIProcess.run([
      "decode", "--vector", file.path, "--json", "--candidates", "2",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect((object?["text"] as? String)?.isEmpty == false)
    #expect(((object?["fidelity"] as? NSNumber)?.doubleValue ?? 0) > 0.3)
    #expect(["generated", "bank"].contains(object?["source"] as? String ?? ""))
    #expect(object?["runners_up"] is [Any])
    #expect(object?["fluency"] is NSNumber, "the chosen text's fluency score")
    #expect((object?["text_latent"] as? String)?.count == 1024)  // 384 fp16 in base64
  }

  @Test func badVectorsGetClearErrors() throws {
    let folder = try CLIProcess.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let short = folder.appendingPathComponent("short.json")
    try Data("[1, 2, 3]".utf8).write(to: short)
    let notJSON = folder.appendingPathComponent("bad.json")
    try Data("hello".utf8).write(to: notJSON)
    let cases: [([String], String)] = [
      (["decode", "--vector", short.path], "has 3 values; the decoder expects 384"),
      (["decode", "--vector", notJSON.path], "is not a JSON array of numbers"),
      (["decode", "--vector", "/nonexistent.json"], "cannot read /nonexistent.json"),
      (
        ["decode", "--text", "x", "--decoder", "/nonexistent"],
        "/nonexistent/config.json is missing"
      ),
      (["decode", "--text", "x", "--bank", "/nonexistent.bank"], "/nonexistent.bank is missing"),
      (["decode"], "give either --text or --vector"),
      (
        ["decode", "--text", "x", "--fluency", "/nonexistent.bin"],
        "/nonexistent.bin is missing"
      ),
      (["decode", "--text", "x", "--fluency-weight", "2"], "--fluency-weight must be in 0–1"),
    ]
    for (arguments, message) in cases {
      let result = try CLIProcess.run(arguments)
      #expect(result.status != 0, "\(arguments)")
      #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }
  }

  @Test func roundtripPrintsOneLinePerInputAndASummary() throws {
    let folder = try CLIProcess.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("lines.txt")
    try Data("The dog barked all night.\nShe smiled.\n\nPrices rose again in March.\n".utf8)
      .write(to: file)
    let result = try CLIProcess.run(["roundtrip", file.path, "--candidates", "2", "--json"])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 4)
    let rows = try lines.map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
    #expect(rows[0]?["original"] as? String == "The dog barked all night.")
    #expect(rows[0]?["decoded"] is String)
    let summary = rows[3]
    #expect(summary?["count"] as? Int == 3)
    #expect(((summary?["mean_cosine"] as? NSNumber)?.doubleValue ?? 0) > 0.3)
    #expect(summary?["share_generated"] is NSNumber)
    let text = try CLIProcess.run(["roundtrip", file.path, "--candidates", "1"])
    #expect(text.status == 0, "\(text.stderr)")
    #expect(text.stdout.split(separator: "\n").last?.hasPrefix("mean cosine") == true)
  }
}
