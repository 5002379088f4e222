import Canvas
import CanvasStore
import Foundation

/// The one after-commit path. Every append of the room (a client's op, an op.apply with
/// its results, a server's node.decoded) goes through `append`; its outcome is settled by
/// `RoomCore.settle`, whose actions (sends, decodes, a reload) the shell performs.
extension Room {
  typealias Submission = RoomCore.Submission

  /// Hands a batch to the group committer; the core settles it on this room's queue, in
  /// commit order, and the shell carries out what it decides.
  func append(_ submission: Submission) {
    let submitted = ContinuousClock.now
    let assigned = core.serverLamport
    committer.submit(
      AppendRequest(document: id, ops: submission.ops, gatedOnFirst: submission.gatedOnFirst),
      on: queue
    ) { [self] result in
      metrics.recordCommit(ContinuousClock.now - submitted, result: result)
      perform(core.settle(submission, result, assigned: assigned))
    }
  }

  /// Carries out the core's actions.
  func perform(_ actions: [RoomCore.Action]) {
    for action in actions {
      switch action {
      case .send(let frame, let connections):
        if connections.count == 1 {
          sink.send(frame, to: connections[0])
        } else if !connections.isEmpty {
          sink.send(frame, to: connections)
        }
      case .sendCoalesced(let frame, let connections, let key):
        sink.send(frame, to: connections, coalesceKey: key)
      case .append(let submission):
        append(submission)
      case .superseded:
        decodes?.noteSuperseded()
      case .expirePresence(let replica, let actor, let connection):
        queue.asyncAfter(deadline: .now() + presenceExpiry) { [self] in
          perform(core.presenceExpired(replica, actor: actor, connection: connection))
        }
      case .decode(let node, let latent, let answers, let intents):
        scheduleDecode(node: node, latent: latent, answers: answers, intents: intents)
      case .reload:
        reload()
      case .computeMap(let job):
        computeMap(job)
      case .placeOnMap(let job):
        placeOnMap(job)
      case .warn(let message):
        logger.warning("\(message)", metadata: ["doc": "\(id)"])
      }
    }
  }

  /// Reloads the head and state from the store (after a failed commit).
  func reload() {
    do {
      let head = try store.requireDocument(id).headSeq
      core.state = try store.state(id, atSeq: head)
      core.head = head
    } catch {
      logger.error("room reload failed", metadata: ["doc": "\(id)", "error": "\(error)"])
    }
  }
}
