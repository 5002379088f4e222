import Canvas
import CanvasStore
import Foundation
import Logging
import Testing

/// A child process appends ops and reports each committed seq; we SIGKILL it mid-stream and
/// check that every reported seq survived, with no gaps and no torn op.
@Suite struct CrashSafetyTests {
  @Test(arguments: [1, 2, 3])
  func everyAcknowledgedSeqSurvivesSIGKILL(round: Int) throws {
    let folder = try CLIProcess.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let db = folder.appendingPathComponent("crash.sqlite").path

    let process = Process()
    process.executableURL = CLIProcess.executable
    process.arguments = ["debug-append", "--db", db, "--doc", "crash"]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()

    // Read acknowledgements until enough have arrived (at least a few batches' worth).
    let target = 1_500 * round
    var reported: [Int64] = []
    var pending = Data()
    let reader = out.fileHandleForReading
    let deadline = Date().addingTimeInterval(60)
    while reported.count < target && Date() < deadline {
      let chunk = reader.availableData
      if chunk.isEmpty { break }
      pending.append(chunk)
      while let newline = pending.firstIndex(of: 0x0A) {
        let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
        pending.removeSubrange(pending.startIndex...newline)
        if let seq = Int64(line.dropFirst("committed ".count)) { reported.append(seq) }
      }
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    #expect(process.terminationReason == .uncaughtSignal)
    #expect(reported.count >= target, "child reported only \(reported.count) commits")

    let store = try CanvasStore(
      path: db, configuration: StoreConfiguration(createIfMissing: false),
      logger: Logger(label: "crash-test"))
    let head = try store.requireDocument("crash").headSeq
    let maxReported = try #require(reported.max())
    #expect(head >= maxReported, "head \(head) lost acknowledged seq \(maxReported)")
    // Every op decodes (no torn rows) and seqs are dense from 1 to the head.
    var expected: Int64 = 1
    try store.forEachOp("crash", from: 1, through: head) { entry in
      #expect(entry.seq == expected)
      expected += 1
    }
    #expect(expected == head + 1)
    let state = try store.state("crash", atSeq: head)
    #expect(state.nodes.count == 1)
    // The store keeps working after the crash: appends continue at head + 1.
    let node = try #require(state.nodes.first)
    let next = Op(
      id: OpID(lamport: state.maxLamport + 1, replica: "after-crash"), actor: "test",
      payload: .nodeMove(NodeMove(node: node.id, coordinates: [], latent: node.latent)))
    #expect(try store.append([next], to: "crash") == [.committed(seq: head + 1)])
  }
}
