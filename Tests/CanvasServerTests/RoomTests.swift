import Canvas
import CanvasStore
import CanvasTestSupport
import Foundation
import Logging
import Testing

@testable import CanvasServer

/// Collects frames per connection instead of sending them.
final class RecordingSink: FrameSink, @unchecked Sendable {
  private let lock = NSLock()
  private var frames: [ConnectionID: [[String: Any]]] = [:]

  func send(_ frame: Data, to connection: ConnectionID) {
    let object = (try? JSONSerialization.jsonObject(with: frame)) as? [String: Any] ?? [:]
    lock.lock()
    frames[connection, default: []].append(object)
    lock.unlock()
  }

  func received(_ connection: ConnectionID) -> [[String: Any]] {
    lock.lock()
    defer { lock.unlock() }
    return frames[connection] ?? []
  }

  /// Waits until `connection` has a frame of type `t` (or gives up after 5 s).
  func wait(for t: String, at connection: ConnectionID, count: Int = 1) -> [[String: Any]] {
    let deadline = Date().addingTimeInterval(5)
    while Date() < deadline {
      let matching = received(connection).filter { $0["t"] as? String == t }
      if matching.count >= count { return matching }
      usleep(2_000)
    }
    return received(connection).filter { $0["t"] as? String == t }
  }
}

/// The room's sync logic with no sockets: join, post-commit ack and broadcast, resync.
@Suite struct RoomTests {
  /// A room on a fresh temporary store, its recording sink, and a cleanup to defer.
  func makeRoom() throws -> (RecordingSink, Room, () -> Void) {
    let sink = RecordingSink()
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("room-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let store = try CanvasStore(
      path: folder.appendingPathComponent("r.sqlite").path, logger: Logger(label: "t"))
    let committer = GroupCommitter(store: store)
    let room = try Room(
      id: "doc", store: store, committer: committer, encoder: nil, sink: sink,
      metrics: ServerMetrics(),
      logger: Logger(label: "t"))
    return (
      sink, room,
      {
        committer.shutdown()
        try? FileManager.default.removeItem(at: folder)
      }
    )
  }

  /// `op` as a client sends it, decoded the way the server decodes frames.
  func clientOp(_ op: Op) throws -> ClientOp {
    let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(op))
    let frame = try JSONSerialization.data(withJSONObject: ["t": "op", "op": json])
    guard case .success(.op(let decoded)) = ClientMessage.decode(frame) else {
      throw CocoaError(.coderInvalidValue)
    }
    return decoded
  }

  @Test func ackGoesToTheSenderAndTheOpToPeersAfterCommit() throws {
    let (sink, room, cleanup) = try makeRoom()
    defer { cleanup() }
    room.add(1, replica: "r1", actor: "alice")
    room.add(2, replica: "r2", actor: "bob")
    room.join(1, sinceSeq: nil)
    room.join(2, sinceSeq: nil)
    #expect(sink.wait(for: "joined", at: 2).count == 1)
    room.submit(try clientOp(OpFixtures.create("n", "hello", at: OpFixtures.id(1, "r1"))), from: 1)
    let ack = try #require(sink.wait(for: "ack", at: 1).first)
    #expect(ack["seq"] as? Int == 1)
    let broadcast = try #require(sink.wait(for: "op", at: 2).first)
    #expect(broadcast["seq"] as? Int == 1)
    let payload = (broadcast["op"] as? [String: Any])?["payload"] as? [String: Any]
    #expect(payload?["latent"] == nil, "no latents in routine traffic")
    #expect((broadcast["op"] as? [String: Any])?["actor"] as? String == "alice")
    #expect(
      sink.received(1).allSatisfy { $0["t"] as? String != "op" },
      "the sender gets an ack, not its own op")
  }

  @Test func wrongReplicaAndUnknownNodeAreNacked() throws {
    let (sink, room, cleanup) = try makeRoom()
    defer { cleanup() }
    room.add(1, replica: "r1", actor: "alice")
    room.join(1, sinceSeq: 0)
    room.submit(try clientOp(OpFixtures.create("n", "x", at: OpFixtures.id(1, "mallory"))), from: 1)
    room.submit(try clientOp(OpFixtures.delete("ghost", at: OpFixtures.id(2, "r1"))), from: 1)
    let nacks = sink.wait(for: "nack", at: 1, count: 2)
    #expect(nacks.map { $0["code"] as? String } == ["wrong_replica", "unknown_node"])
  }

  @Test func resyncSendsExactlyTheMissedOps() throws {
    let (sink, room, cleanup) = try makeRoom()
    defer { cleanup() }
    room.add(1, replica: "r1", actor: "alice")
    room.join(1, sinceSeq: 0)
    for i in 1...5 {
      room.submit(
        try clientOp(
          OpFixtures.create(NodeID("n\(i)"), "t\(i)", at: OpFixtures.id(UInt64(i), "r1"))), from: 1)
    }
    #expect(sink.wait(for: "ack", at: 1, count: 5).count == 5)
    room.add(2, replica: "r2", actor: "bob")
    room.join(2, sinceSeq: 3)
    _ = sink.wait(for: "joined", at: 2)
    let ops = sink.received(2).filter { $0["t"] as? String == "ops" }.flatMap {
      $0["ops"] as? [[String: Any]] ?? []
    }
    #expect(ops.map { $0["seq"] as? Int } == [4, 5])
  }

  @Test func presenceOutlivesADisconnectUntilItExpires() throws {
    let (sink, room, cleanup) = try makeRoom()
    defer { cleanup() }
    room.presenceExpiry = .milliseconds(150)
    room.add(1, replica: "r1", actor: "alice")
    room.add(2, replica: "r2", actor: "bob")
    room.join(1, sinceSeq: 0)
    room.join(2, sinceSeq: 0)
    _ = sink.wait(for: "joined", at: 2)
    room.updatePresence(.init(from: 1, actor: "alice", cursor: [0, 0]), from: 1)
    #expect(sink.wait(for: "presence", at: 2).count == 1)
    // Alice drops and comes back within the expiry: no "left".
    room.remove(1)
    room.add(3, replica: "r1", actor: "alice")
    room.join(3, sinceSeq: 0)
    usleep(300_000)
    #expect(sink.received(2).allSatisfy { $0["left"] == nil })
    // Alice leaves for good: bob hears "left" once the expiry passes.
    room.remove(3)
    let left = sink.wait(for: "presence", at: 2, count: 2)
    #expect(left.last?["left"] as? Bool == true)
  }
}
