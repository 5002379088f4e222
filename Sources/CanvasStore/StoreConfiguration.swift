import Canvas
import Foundation

/// How the op log behaves. Every field has a documented default.
public struct StoreConfiguration: Sendable {
  /// SQLite's `synchronous` setting in WAL mode.
  public enum Durability: String, Sendable, CaseIterable {
    /// Survives a killed process (SIGKILL); the last commits may be lost on power failure.
    case normal = "NORMAL"
    /// Also survives power failure, at a large cost per commit.
    case full = "FULL"
  }

  /// Default `.normal`: acknowledged ops survive SIGKILL.
  public var durability: Durability
  /// Fewest ops between two snapshots of a document. Default 4,096.
  public var snapshotInterval: Int
  /// Largest share of the op log's bytes that snapshots may take. Default 0.4.
  public var snapshotMaxRatio: Double
  /// Limits for op validation.
  public var limits: ValidationLimits
  /// Create the database file when missing. Default true.
  public var createIfMissing: Bool
  /// PostgreSQL only: how long a document lease lasts without renewal (renewed every
  /// quarter of it). A paused or partitioned owner keeps a document this long at most.
  /// Default 4,000 ms.
  public var leaseMilliseconds: Int
  /// PostgreSQL only: this node's name in the leases table (`--node-name`); each start adds
  /// a random suffix, so a restarted node never inherits its old leases. Default: the host
  /// name.
  public var nodeName: String

  /// Makes a configuration; every argument has the product default.
  public init(
    durability: Durability = .normal, snapshotInterval: Int = 4_096,
    snapshotMaxRatio: Double = 0.4, limits: ValidationLimits = .standard,
    createIfMissing: Bool = true, leaseMilliseconds: Int = 4_000,
    nodeName: String = ProcessInfo.processInfo.hostName
  ) {
    self.durability = durability
    self.snapshotInterval = snapshotInterval
    self.snapshotMaxRatio = snapshotMaxRatio
    self.limits = limits
    self.createIfMissing = createIfMissing
    self.leaseMilliseconds = leaseMilliseconds
    self.nodeName = nodeName
  }
}
