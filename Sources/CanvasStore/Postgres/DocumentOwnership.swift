import Canvas
import Foundation
import Logging
import Synchronization

/// Which documents this node may append to, when several Latitude nodes share one
/// PostgreSQL database: one lease per document in the `leases` table.
///
/// - **Taking a lease** (`acquire`): succeeds when the lease is free, expired, already
///   ours, or held by a node whose process is gone. Each node holds a session advisory
///   lock named after its incarnation on its lease connection; PostgreSQL drops it the
///   moment that process dies (its socket closes), so a crashed owner's documents are
///   taken at once instead of after the lease runs out. A paused or partitioned owner
///   keeps its connection, so its documents are taken only when the lease expires.
/// - **Renewing**: a thread extends every lease this node holds every quarter of the lease
///   time, in one UPDATE. A lease it finds expired or taken is lost: `onLost` is told, and
///   the server drops the room.
/// - **Handing over**: a node that the router sends a document's clients to, but which
///   cannot take the lease, marks it wanted (`acquire(_:askOwner:)`); the owner hands the
///   document over at its first renewal after holding it for a lease time (its rooms close with "moved", the lease is
///   released), so documents return to the node the router prefers after a failover.
/// - **Fencing**: every append transaction first locks the document's lease row and checks
///   owner, token and expiry (`fence`). A taker's UPDATE waits on that lock, so an append
///   either commits before the lease changes hands (and the new owner, which reads the
///   log after taking the lease, sees it) or fails. The token grows at every change of
///   owner; the primary key (doc_key, seq) is the last guard against a forked seq.
///
/// All times come from the database's clock (`clock_timestamp()`), never a node's.
public final class DocumentOwnership: Sendable {
  /// This node's incarnation in the leases table: `name#random`.
  public let owner: String
  /// How long a lease lasts without renewal.
  public let leaseMilliseconds: Int
  private let connection: Mutex<PostgresConnection>
  private let logger: Logger

  private struct State {
    var tokens: [DocumentID: Int64] = [:]
    /// When each tenure began: a document is handed over only after a lease time held,
    /// so two nodes that both want it (routers that disagree for a while) cannot bounce it
    /// faster than that.
    var since: [DocumentID: ContinuousClock.Instant] = [:]
    var acquired = 0
    var lost = 0
    var fenced = 0
    var takenFromDeadOwner = 0
    var handedOver = 0
    var onLost: (@Sendable ([DocumentID]) -> Void)?
    var autoAcquire = true
    var stopping = false
    var lastRenewal = ContinuousClock.now
  }
  private let state = Mutex(State())
  private let wake = DispatchSemaphore(value: 0)
  /// Where losses are reported, in order.
  private let events = DispatchQueue(label: "latitude.leases.events")
  /// The store whose writer cache a change of tenure invalidates.
  nonisolated(unsafe) weak var store: CanvasStore?

  /// What `acquire` found.
  public enum Claim: Sendable, Equatable {
    /// This node holds the lease, with this fencing token.
    case owned(token: Int64)
    /// Another live node holds it, for about this long unless it renews.
    case heldBy(owner: String, milliseconds: Int64)
  }

  init(url: String, configuration: StoreConfiguration, logger: Logger) throws {
    let suffix = UUID().uuidString.prefix(8).lowercased()
    owner = "\(configuration.nodeName)#\(suffix)"
    leaseMilliseconds = max(200, configuration.leaseMilliseconds)
    self.logger = logger
    let connection = try PostgresConnection(url: url)
    try connection.migrate()
    _ = try connection.query(
      "SELECT pg_advisory_lock(hashtextextended($1, 0))", [.text(owner)])
    // Taking a lease waits for the lease row while another node's write transaction holds
    // it; that node's transaction ends within a lease time (see the writer's settings),
    // so a claim never waits longer than two.
    try connection.limitWaits(lockTimeoutMs: 2 * leaseMilliseconds, idleInTransactionMs: nil)
    self.connection = Mutex(connection)
    // Holds the object only for one wait-and-renew at a time, so a released store's
    // ownership goes away (closing its connection, which drops its advisory lock).
    let thread = Thread { [weak self] in
      while let ownership = self, ownership.waitAndRenew() {}
    }
    thread.name = "latitude.leases"
    thread.start()
  }

  /// Whether appends take a free lease themselves (the CLI and benchmarks: true) or need
  /// `acquire` first (the server: false, so it learns of every change of owner).
  public var autoAcquire: Bool {
    get { state.withLock { $0.autoAcquire } }
    set { state.withLock { $0.autoAcquire = newValue } }
  }

  /// Called, on the ownership's own serial queue, with documents whose lease this node
  /// lost or handed over.
  public func onLost(_ handler: @escaping @Sendable ([DocumentID]) -> Void) {
    state.withLock { $0.onLost = handler }
  }

  /// Documents this node holds, by id.
  public var owned: [DocumentID] {
    state.withLock { Array($0.tokens.keys) }.sorted { $0.rawValue < $1.rawValue }
  }

  /// Counters for /metrics: leases taken, lost (handovers included), appends fenced,
  /// leases taken from a node whose process was gone, and leases handed over on request.
  public var counters:
    (acquired: Int, lost: Int, fenced: Int, takenFromDeadOwner: Int, handedOver: Int)
  {
    state.withLock { ($0.acquired, $0.lost, $0.fenced, $0.takenFromDeadOwner, $0.handedOver) }
  }

  /// Takes (or extends) the document's lease if it is free, expired, ours, or its owner's
  /// process is gone. With `askOwner`, a lease held by a live node is marked wanted, and
  /// that node hands it over at its first renewal after holding it for a lease time.
  public func acquire(_ document: DocumentID, askOwner: Bool = false) throws(StoreError) -> Claim {
    let result = try StoreError.wrap {
      try connection.withLock { db in
        let result = try takeLease(document, on: db)
        if askOwner, case .held = result {
          _ = try db.query(
            "UPDATE leases SET wanted_by = $2 WHERE doc_id = $1 AND owner <> $2",
            [.text(document.rawValue), .text(owner)])
        }
        return result
      }
    }
    switch result {
    case .owned(let token, let newTenure, let fromDead):
      if newTenure { store?.dropWriterState(document) }
      state.withLock { state in
        if newTenure || state.tokens[document] == nil {
          state.acquired += 1
          state.since[document] = .now
        }
        if fromDead { state.takenFromDeadOwner += 1 }
        state.tokens[document] = token
      }
      if newTenure {
        logger.info(
          "took the lease", metadata: ["doc": "\(document)", "token": "\(token)"])
      }
      return .owned(token: token)
    case .held(let holder, let milliseconds):
      return .heldBy(owner: holder, milliseconds: milliseconds)
    }
  }

  /// Gives the lease up (the room closed), so another node may take it at once.
  public func release(_ document: DocumentID) {
    let token = state.withLock { state in
      state.since[document] = nil
      return state.tokens.removeValue(forKey: document)
    }
    guard let token else { return }
    expire(document, token: token)
  }

  /// Ends the lease in the table, if it is still this tenure.
  private func expire(_ document: DocumentID, token: Int64) {
    do {
      try connection.withLock { db in
        _ = try db.query(
          """
          UPDATE leases SET expires_at = clock_timestamp(), wanted_by = NULL
          WHERE doc_id = $1 AND owner = $2 AND token = $3
          """, [.text(document.rawValue), .text(owner), .int64(token)])
      }
    } catch {
      logger.warning(
        "could not release a lease (it will expire)",
        metadata: ["doc": "\(document)", "error": "\(error)"])
    }
  }

  /// Stops renewing; the leases expire (or go at once when the connection closes).
  public func shutdown() {
    state.withLock { $0.stopping = true }
    wake.signal()
  }

  private enum TakeResult {
    case owned(token: Int64, newTenure: Bool, fromDead: Bool)
    case held(owner: String, milliseconds: Int64)
  }

  /// The lease statement: insert, or update when free, expired, ours, or when the holder's
  /// incarnation lock can be taken (its process is gone). The token grows by one whenever
  /// the tenure changes.
  private func takeLease(_ document: DocumentID, on db: PostgresConnection) throws -> TakeResult {
    let rows = try db.query(
      """
      WITH before AS (SELECT owner, token, expires_at FROM leases WHERE doc_id = $1)
      INSERT INTO leases AS l(doc_id, owner, token, expires_at)
      VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 millisecond')
      ON CONFLICT (doc_id) DO UPDATE SET owner = EXCLUDED.owner,
        expires_at = clock_timestamp() + $3 * interval '1 millisecond',
        wanted_by = NULL, token = l.token + CASE WHEN l.owner = EXCLUDED.owner AND l.expires_at > clock_timestamp()
          THEN 0 ELSE 1 END
      WHERE (l.owner = EXCLUDED.owner AND l.expires_at > clock_timestamp())
        OR l.expires_at <= clock_timestamp()
        OR pg_try_advisory_xact_lock(hashtextextended(l.owner, 0))
      RETURNING l.token,
        COALESCE((SELECT owner = $2 AND expires_at > clock_timestamp() FROM before), false),
        COALESCE((SELECT owner <> $2 AND expires_at > clock_timestamp() FROM before), false)
      """, [.text(document.rawValue), .text(owner), .int64(Int64(leaseMilliseconds))])
    if rows.count > 0 {
      return .owned(token: rows.int64(0, 0), newTenure: !rows.bool(0, 1), fromDead: rows.bool(0, 2))
    }
    let holder = try db.query(
      """
      SELECT owner, GREATEST(0, EXTRACT(EPOCH FROM expires_at - clock_timestamp()) * 1000)::int8
      FROM leases WHERE doc_id = $1
      """, [.text(document.rawValue)])
    guard holder.count > 0 else { return try takeLease(document, on: db) }
    return .held(owner: holder.string(0, 0), milliseconds: holder.int64(0, 1))
  }

  /// The fencing check, inside the writer's transaction: locks the lease row and checks
  /// that this node still holds it. With `autoAcquire`, takes a free lease instead.
  func fence(_ document: DocumentID, on db: PostgresConnection) throws -> AppendPermission {
    let (token, auto) = state.withLock { ($0.tokens[document], $0.autoAcquire) }
    if let token {
      let rows = try db.query(
        """
        SELECT 1 FROM leases WHERE doc_id = $1 AND owner = $2 AND token = $3
          AND expires_at > clock_timestamp() FOR SHARE
        """, [.text(document.rawValue), .text(owner), .int64(token)])
      if rows.count > 0 { return .allowed }
    }
    if auto, case .owned(let token, let newTenure, _) = try takeLease(document, on: db) {
      state.withLock { state in
        if state.tokens[document] != token {
          state.acquired += 1
          state.since[document] = .now
        }
        state.tokens[document] = token
      }
      return newTenure ? .allowedNewTenure : .allowed
    }
    let lost = state.withLock { state in
      state.fenced += 1
      return state.tokens.removeValue(forKey: document) != nil
    }
    logger.warning(
      "append fenced: this node does not hold the lease", metadata: ["doc": "\(document)"])
    if lost { noteLost([document]) }
    return .fenced
  }

  /// Waits a quarter of the lease time, then renews; false once shut down.
  private func waitAndRenew() -> Bool {
    _ = wake.wait(timeout: .now() + .milliseconds(leaseMilliseconds / 4))
    if state.withLock({ $0.stopping }) { return false }
    renewOnce()
    return true
  }

  /// Extends every lease this node holds; those not extended are lost, and those another
  /// node asked for are handed over.
  private func renewOnce() {
    let held = state.withLock { $0.tokens }
    guard !held.isEmpty else {
      state.withLock { $0.lastRenewal = .now }
      return
    }
    do {
      let kept = try connection.withLock { db in
        // A reconnected lease connection takes its incarnation lock again first.
        _ = try db.query(
          "SELECT pg_advisory_lock(hashtextextended($1, 0))", [.text(owner)])
        let rows = try db.query(
          """
          UPDATE leases SET expires_at = clock_timestamp() + $2 * interval '1 millisecond'
          WHERE owner = $1 AND expires_at > clock_timestamp()
          RETURNING doc_id, token, wanted_by IS NOT NULL
          """, [.text(owner), .int64(Int64(leaseMilliseconds))])
        var kept: [DocumentID: (token: Int64, wanted: Bool)] = [:]
        for row in 0..<rows.count {
          kept[DocumentID(rows.string(row, 0))] = (rows.int64(row, 1), rows.bool(row, 2))
        }
        return kept
      }
      let (lost, wanted) = state.withLock { state -> ([DocumentID], [DocumentID: Int64]) in
        state.lastRenewal = .now
        let lost = state.tokens.filter { kept[$0.key]?.token != $0.value }.map(\.key)
        let settled = ContinuousClock.now - .milliseconds(leaseMilliseconds)
        let wanted = state.tokens.filter {
          kept[$0.key]?.token == $0.value && kept[$0.key]!.wanted
            && (state.since[$0.key] ?? settled) <= settled
        }
        for id in lost + wanted.keys {
          state.tokens[id] = nil
          state.since[id] = nil
        }
        state.handedOver += wanted.count
        return (lost, wanted)
      }
      if !lost.isEmpty { noteLost(lost) }
      if !wanted.isEmpty { handOver(wanted) }
    } catch {
      logger.error("could not renew leases", metadata: ["error": "\(error)"])
      // Past the lease time without a renewal, every lease may have been taken.
      let lost = state.withLock { state -> [DocumentID] in
        guard ContinuousClock.now - state.lastRenewal > .milliseconds(leaseMilliseconds) else {
          return []
        }
        defer { state.tokens.removeAll() }
        return Array(state.tokens.keys)
      }
      if !lost.isEmpty { noteLost(lost) }
    }
  }

  /// Closes the rooms of documents another node asked for (their tokens are already
  /// gone, so nothing more is appended here), then releases their leases.
  private func handOver(_ documents: [DocumentID: Int64]) {
    noteLost(Array(documents.keys)) { [self] in
      for (document, token) in documents { expire(document, token: token) }
      logger.notice(
        "handed documents over on request",
        metadata: ["docs": "\(documents.keys.map(\.rawValue))"])
    }
  }

  /// Tells the store and `onLost` about documents no longer held, then runs `then`: on
  /// its own queue, since the fencing check reports from inside the writer's lock.
  private func noteLost(_ documents: [DocumentID], then: (@Sendable () -> Void)? = nil) {
    let handler = state.withLock { state in
      state.lost += documents.count
      return state.onLost
    }
    events.async { [weak self] in
      for id in documents { self?.store?.dropWriterState(id) }
      self?.logger.warning(
        "lost document leases", metadata: ["docs": "\(documents.map(\.rawValue))"])
      handler?(documents)
      then?()
    }
  }
}

extension CanvasStore {
  /// Forgets the writer's cached state of a document (its tenure changed), so the next
  /// append reads it from the log again.
  func dropWriterState(_ document: DocumentID) {
    writeLock.lock()
    writerDocuments[document] = nil
    writeLock.unlock()
  }
}
