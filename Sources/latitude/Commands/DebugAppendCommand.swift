import CommandSupport
import ArgumentParser
import Canvas
import CanvasStore
import Dispatch
import Foundation
import Latent
import Logging

/// `latitude debug-append`: appends moves through the group committer and prints each
/// committed seq as soon as its commit returns. The crash-safety test kills it mid-stream.
struct DebugAppendCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "debug-append",
    abstract: "Append moves forever (or --count), printing 'committed SEQ' per durable op.",
    shouldDisplay: false)

  @OptionGroup var store: StoreOptions
  @Option(help: "Document id (created if missing).") var doc = "crash-test"
  @Option(help: "Stop after this many ops (default: never).") var count: Int?

  func run() throws {
    let canvasStore = try store.open(create: true)
    let id = DocumentID(doc)
    if try canvasStore.document(id) == nil {
      try canvasStore.createDocument(DocumentInfo(id: id, title: "crash test", createdAt: 0))
    }
    let head = try canvasStore.requireDocument(id)
    let replica = ReplicaID("debug-\(ProcessInfo.processInfo.processIdentifier)")
    var lamport = head.maxLamport
    var latent = [Float](repeating: 0, count: 384)
    func nextID() -> OpID {
      lamport += 1
      return OpID(lamport: lamport, replica: replica)
    }
    let node = NodeID("node-\(replica)")
    latent[0] = 1
    _ = try canvasStore.append(
      [
        Op(
          id: nextID(), actor: "debug",
          payload: .nodeCreate(NodeCreate(node: node, text: "start", latent: LatentVector(latent))))
      ],
      to: id)
    let committer = GroupCommitter(store: canvasStore, window: .milliseconds(1))
    let inFlight = DispatchSemaphore(value: 64)
    var sent = 0
    while count.map({ sent < $0 }) ?? true {
      latent[sent % 384] = Float(sent % 7) / 7
      let op = Op(
        id: nextID(), actor: "debug",
        payload: .nodeMove(NodeMove(node: node, coordinates: [], latent: LatentVector(latent))))
      inFlight.wait()
      committer.submit(AppendRequest(document: id, ops: [op])) { result in
        switch result {
        case .success(let outcomes):
          if case .committed(let seq) = outcomes[0] { writeOut("committed \(seq)\n") }
        case .failure(let error):
          FileHandle.standardError.write(Data("append failed: \(error)\n".utf8))
        }
        inFlight.signal()
      }
      sent += 1
    }
    committer.shutdown()
  }
}
