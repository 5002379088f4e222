import Foundation
import Testing

@Suite struct CLITests {
  /// Makes a database with a small document through the CLI's own debug appender.
  private func seededDatabase(_ folder: URL) throws -> String {
    let db = folder.appendingPathComponent("cli.sqlite").path
    let result = try CLIProcess.run(["debug-append", "--db", db, "--doc", "d1", "--count", "40"])
    #expect(result.status == 0, "\(result.stderr)")
    return db
  }

  @Test func replayPrintsStateAtASeq() throws {
    let folder = try CLIProcess.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let db = try seededDatabase(folder)
    let result = try CLIProcess.run(["replay", "--db", db, "--doc", "d1", "--seq", "1"])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(json?["seq"] as? Int == 1)
    let nodes = (json?["state"] as? [String: Any])?["nodes"] as? [[String: Any]]
    #expect(nodes?.count == 1)
    #expect(nodes?.first?["text"] as? String == "start")
  }

  @Test func exportImportRoundTripsThroughFiles() throws {
    let folder = try CLIProcess.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let db = try seededDatabase(folder)
    let file = folder.appendingPathComponent("d1.ndjson").path
    let export = try CLIProcess.run(["export", "--db", db, "--doc", "d1", "--output", file])
    #expect(export.status == 0, "\(export.stderr)")
    let other = folder.appendingPathComponent("other.sqlite").path
    let imported = try CLIProcess.run(["import", "--db", other, file, "--as", "copy"])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stdout.contains("imported copy: 41 ops"))
    let original = try CLIProcess.run(["replay", "--db", db, "--doc", "d1", "--latents"])
    let copy = try CLIProcess.run(["replay", "--db", other, "--doc", "copy", "--latents"])
    func state(_ text: String) throws -> NSDictionary? {
      let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
      return object?["state"] as? NSDictionary
    }
    #expect(try state(original.stdout) == state(copy.stdout))
  }

  static let failures: [(String, [String], String)] = [
    (
      "missing file", ["replay", "--db", "/nonexistent/x.sqlite", "--doc", "d"],
      "no database at /nonexistent/x.sqlite"
    ),
    ("bad doc id", ["replay", "--doc", "nope"], "no document with id 'nope'"),
    (
      "seq out of range", ["replay", "--doc", "d1", "--seq", "999"],
      "seq 999 is out of range: the document has seqs 0...41"
    ),
    (
      "missing import file", ["import", "/nonexistent/file.ndjson"],
      "cannot read /nonexistent/file.ndjson"
    ),
    (
      "bad durability", ["docs", "--durability", "sometimes"],
      "--durability must be 'normal' or 'full'"
    ),
  ]

  @Test("errors are clear and exit non-zero", arguments: failures)
  func clearErrors(name: String, arguments: [String], message: String) throws {
    let folder = try CLIProcess.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let db = try seededDatabase(folder)
    let withDB = arguments.contains("--db") ? arguments : arguments + ["--db", db]
    let result = try CLIProcess.run(withDB)
    #expect(result.status != 0, "\(name) should fail")
    #expect(result.stderr.contains(message), "\(name): stderr was \(result.stderr)")
  }
}
