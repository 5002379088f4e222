/// The identity of an op: a Lamport timestamp plus the replica that made it.
///
/// Each replica's lamport strictly increases, so `(lamport, replica)` is unique. The total
/// order (lamport first, then replica) is the last-writer-wins order of the merge rules.
public struct OpID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  /// The Lamport timestamp.
  public var lamport: UInt64
  /// The replica that made the op.
  public var replica: ReplicaID

  /// Makes an op id.
  public init(lamport: UInt64, replica: ReplicaID) {
    self.lamport = lamport
    self.replica = replica
  }

  public static func < (a: OpID, b: OpID) -> Bool {
    a.lamport != b.lamport ? a.lamport < b.lamport : a.replica < b.replica
  }

  public var description: String { "\(lamport)@\(replica)" }
}
