import Latent

/// What a committed decode gets while other committed decodes wait behind it (several
/// people dragging at once): fewer generated candidates and smaller batches, so the queue
/// drains sooner. A decode's cost grows with its generated rows (a step of a few rows is
/// already bound by arithmetic rather than by reading the weights), so ten full decodes
/// queued take about ten times one; `make bench-settle` measures what this buys and what it
/// costs in fidelity (`latitude serve --busy-candidates`).
public struct BusyEffort: Sendable, Equatable {
  /// Generated candidates (greedy included) of a committed job taken while others wait.
  public var candidates: Int
  /// Committed jobs one worker takes at once while others wait (may exceed the pool's
  /// batch: a busy job generates fewer rows).
  public var batchLimit: Int
  /// Candidates of the intent round of such a job (texts from an aim past the target, when
  /// no text followed the drag; `LatentDecoder+Intents`); 0 skips the round.
  public var intentCandidates: Int

  /// Makes a busy effort.
  public init(candidates: Int, batchLimit: Int = 2, intentCandidates: Int = 2) {
    self.candidates = max(1, candidates)
    self.batchLimit = max(1, batchLimit)
    self.intentCandidates = max(0, intentCandidates)
  }

  /// Off: a crowded queue decodes at full effort, in full batches.
  public static let off = BusyEffort(candidates: .max, batchLimit: .max, intentCandidates: .max)

  /// The server's default: greedy text only (with the bank's three sentences) and an
  /// intent round of two texts, four jobs at a time; chosen with `make bench-settle`
  /// against other mixes, and with `latitude-bench eval-steer --candidates 1
  /// --intent-candidates K` for what the intent round keeps of axis moves (see README,
  /// "Busy rooms").
  public static let measured = BusyEffort(candidates: 1, batchLimit: 4, intentCandidates: 2)

  /// `job` with at most `candidates` generated candidates and `intentCandidates` in its
  /// intent round.
  func applied(to job: DecodeScheduler.Job) -> DecodeScheduler.Job {
    var job = job
    job.effort.candidates = min(job.effort.candidates, candidates)
    job.effort.intentCandidates = min(job.effort.intentCandidates, intentCandidates)
    return job
  }
}
