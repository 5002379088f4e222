import Canvas
import CanvasStore
import Foundation

/// The one after-commit path. Every append of the room (a client's op, an op.apply with
/// its results, a server's node.decoded) goes through `append`, and its outcome through
/// `settle`: each committed op is applied to the state, bumps the head, is encoded once
/// and broadcast; the client's op is acked or nacked; text-less latent writes are queued
/// for decoding.
extension Room {
  /// A batch to log, and who answers for it.
  struct Submission {
    /// The ops, in order; a client's op (when any) is first.
    var ops: [Op]
    /// Log the rest only if the first is newly logged (op.apply and its results).
    var gatedOnFirst = false
    /// The connection whose op is first in `ops`: it gets the ack or nack, and the
    /// broadcast of that op goes to its peers only. Nil for server-authored batches.
    var client: ConnectionID?
    /// The server lamport before this batch's server ops were made: restored when none of
    /// the batch is logged, so a refused batch cannot leave the room's clock ahead.
    var lamportBefore: UInt64?
  }

  /// Hands a batch to the group committer; `settle` runs on this room's queue, in commit
  /// order.
  func append(_ submission: Submission) {
    let submitted = ContinuousClock.now
    let assigned = serverLamport
    committer.submit(
      AppendRequest(document: id, ops: submission.ops, gatedOnFirst: submission.gatedOnFirst),
      on: queue
    ) { [self] result in
      metrics.recordCommit(ContinuousClock.now - submitted, result: result)
      if let before = submission.lamportBefore, serverLamport == assigned,
        !Self.firstCommitted(result)
      {
        serverLamport = before
      }
      settle(submission, result)
    }
  }

  private static func firstCommitted(_ result: Result<[AppendOutcome], StoreError>) -> Bool {
    if case .success(let outcomes) = result, case .committed? = outcomes.first { return true }
    return false
  }

  private func settle(_ submission: Submission, _ result: Result<[AppendOutcome], StoreError>) {
    let outcomes: [AppendOutcome]
    switch result {
    case .failure(let error):
      logger.error("commit failed; room reloads", metadata: ["doc": "\(id)", "error": "\(error)"])
      if let client = submission.client, let first = submission.ops.first {
        sink.send(ProtocolError.commitFailed("\(error)").nack(first.id).encoded(), to: client)
      }
      reload()
      return
    case .success(let value):
      outcomes = value
    }
    for (index, (op, outcome)) in zip(submission.ops, outcomes).enumerated() {
      let client = index == 0 ? submission.client : nil
      switch outcome {
      case .committed(let seq):
        state.apply(op)
        head = max(head, seq)
        let frame = ServerMessage.op(WireOp(SequencedOp(seq: seq, op: op), state: state)).encoded()
        if let client {
          sink.send(ServerMessage.ack(op.id, seq: seq).encoded(), to: client)
          sink.send(frame, to: peers(of: client))
        } else {
          sink.send(frame, to: joinedConnections())
        }
        scheduleDecodeIfTextless(op)
      case .duplicate(let seq):
        if let client { sink.send(ServerMessage.ack(op.id, seq: seq).encoded(), to: client) }
      case .rejected(let why):
        if let client {
          sink.send(ProtocolError.rejected(why).nack(op.id).encoded(), to: client)
        } else if why != .firstNotCommitted {
          logger.warning(
            "server op refused",
            metadata: ["doc": "\(id)", "kind": "\(op.kind.rawValue)", "reason": "\(why)"])
        }
      }
    }
  }

  /// Reloads the head and state from the store (after a failed commit).
  func reload() {
    do {
      head = try store.requireDocument(id).headSeq
      state = try store.state(id, atSeq: head)
    } catch {
      logger.error("room reload failed", metadata: ["doc": "\(id)", "error": "\(error)"])
    }
  }
}
