import Canvas
import CanvasTestSupport
import Foundation
import Testing

@testable import CanvasStore

@Suite struct CodecTests {
  @Test("stored payloads round-trip exactly", arguments: 0..<10)
  func opCodecRoundTrip(seed: Int) throws {
    for op in ConcurrentHistory(seed: UInt64(seed), count: 60, dimension: 384).ops {
      let bytes = OpCodec.encode(op.payload)
      let decoded = try bytes.withUnsafeBytes { try OpCodec.decode(op.kind, $0) }
      #expect(decoded == op.payload)
    }
  }

  @Test("snapshots round-trip exactly", arguments: 0..<10)
  func snapshotRoundTrip(seed: Int) throws {
    let state = DocumentState(
      folding: ConcurrentHistory(seed: UInt64(seed), count: 150, dimension: 384).ops)
    let bytes = SnapshotCodec.encode(state)
    #expect(try bytes.withUnsafeBytes { try SnapshotCodec.decode($0) } == state)
    #expect(SnapshotCodec.encode(state) == bytes, "encoding is deterministic")
  }

  @Test func truncatedOrGarbledBytesAreCorruptNotACrash() throws {
    let op = OpFixtures.create("n", "hello", at: OpFixtures.id(1))
    let bytes = OpCodec.encode(op.payload)
    for cut in [0, 1, 5, bytes.count / 2, bytes.count - 1] {
      #expect(throws: StoreError.self) {
        try Array(bytes.prefix(cut)).withUnsafeBytes { try OpCodec.decode(.nodeCreate, $0) }
      }
    }
    #expect(throws: StoreError.self) {
      try (bytes + [0]).withUnsafeBytes { try OpCodec.decode(.nodeCreate, $0) }
    }
    var random = SeededRandom(seed: 99)
    for _ in 0..<200 {
      let noise = (0..<Int.random(in: 0..<64, using: &random)).map { _ in
        UInt8.random(in: 0...255, using: &random)
      }
      _ = try? noise.withUnsafeBytes { try SnapshotCodec.decode($0) }
      _ = try? noise.withUnsafeBytes { try OpCodec.decode(.nodeDecoded, $0) }
    }
  }
}

@Suite struct MigrationTests {
  /// The migrations compiled into the binary match Schema/sqlite/ and Schema/postgres/
  /// (regenerate with scripts/generate-migrations.sh).
  @Test(arguments: [("sqlite", Migration.all), ("postgres", Migration.postgres)])
  func generatedMigrationsMatchTheSQLFiles(schema: String, migrations: [Migration]) throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let folder = root.appendingPathComponent("Schema/\(schema)")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
      .filter { $0.hasSuffix(".sql") }.sorted()
    #expect(files.map { String($0.dropLast(4)) } == migrations.map(\.name))
    for (file, migration) in zip(files, migrations) {
      let sql = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
      let normalise = { (text: String) in
        text.split(separator: "\n", omittingEmptySubsequences: false)
          .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      }
      #expect(
        normalise(sql) == normalise(migration.sql),
        "\(file) differs: run scripts/generate-migrations.sh")
    }
  }

  @Test func reopeningDoesNotReapplyAndNewerSchemaIsRefused() throws {
    let temp = try TemporaryStore()
    try temp.document()
    try temp.reopen()
    #expect(try temp.store.documents().count == 1)
    let db = try SQLiteConnection(path: temp.path)
    try db.execute(
      "INSERT INTO schema_migrations(version, name, applied_at) VALUES (999, 'future', 0)")
    #expect(throws: StoreError.newerSchema(found: 999, supported: Migration.all.count)) {
      try temp.reopen()
    }
  }

  @Test func missingFileIsAClearError() {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "absent-\(UUID()).sqlite"
    ).path
    #expect(throws: StoreError.missingFile(path)) {
      try CanvasStore(
        path: path, configuration: StoreConfiguration(createIfMissing: false),
        logger: .init(label: "t"))
    }
  }
}
