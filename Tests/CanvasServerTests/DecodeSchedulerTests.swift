import Dispatch
import Foundation
import Latent
import Logging
import Synchronization
import Testing

@testable import CanvasServer

/// A decoder for the pool's tests: each latent's first component names it ("j3" for 3);
/// every batch is recorded; with `holdFirstBatch`, the first batch waits in the decoder
/// until the test releases it, so the test controls what is queued meanwhile.
final class GatedDecoder: BatchDecoding {
  let name = "gated-test-decoder"
  private let batches = Mutex<[[String]]>([])
  private let favours = Mutex<[String: [Float]]>([:])
  private let efforts = Mutex<[DecodeEffort]>([])
  private let holding: Bool
  private let first = Atomic<Bool>(true)
  /// Signalled when a held batch has entered the decoder.
  let entered = DispatchSemaphore(value: 0)
  /// Signal to let the held batch finish.
  let release = DispatchSemaphore(value: 0)
  /// With `holdFirstQuickStage`: the first bank scan for first stages waits here.
  private let holdingQuick: Bool
  private let firstQuick = Atomic<Bool>(true)
  private let quickBatches = Mutex<[[String]]>([])
  /// Signalled when the held first-stage scan has started.
  let quickEntered = DispatchSemaphore(value: 0)
  /// Signal to let the held first-stage scan finish.
  let quickRelease = DispatchSemaphore(value: 0)

  /// With `holdFirstQuickStage`, first stages are found ("jN-quick") and recorded per scan;
  /// otherwise there are none.
  init(holdFirstBatch: Bool, holdFirstQuickStage: Bool? = nil) {
    holding = holdFirstBatch
    holdingQuick = holdFirstQuickStage ?? false
    findsQuickStages = holdFirstQuickStage != nil
  }

  private let findsQuickStages: Bool
  /// The jobs of each first-stage scan, in order.
  var recordedQuickStages: [[String]] { quickBatches.withLock { $0 } }

  static func latent(_ tag: Int) -> [Float] {
    [Float(tag)] + [Float](repeating: 0.01, count: 383)
  }

  var recorded: [[String]] { batches.withLock { $0 } }
  /// The generated candidates each batch was decoded with.
  var recordedCandidates: [Int] { efforts.withLock { $0.map(\.candidates) } }
  /// The intent round's candidates each batch was decoded with.
  var recordedIntentCandidates: [Int] { efforts.withLock { $0.map(\.intentCandidates) } }
  /// The favour of each intent a job reached the decoder with, by tag.
  var recordedFavours: [String: [Float]] { favours.withLock { $0 } }

  func quickStages(_ latents: [[Float]]) -> [StagedText?] {
    guard findsQuickStages else { return latents.map { _ in nil } }
    let tags = latents.map { "j\(Int($0[0]))" }
    quickBatches.withLock { $0.append(tags) }
    if holdingQuick, firstQuick.exchange(false, ordering: .relaxed) {
      quickEntered.signal()
      quickRelease.wait()
    }
    return tags.map { StagedText(stage: .bank, text: "\($0)-quick", fidelity: 0.4, source: .bank) }
  }

  func decode(
    batch latents: [[Float]], intents: [[DecodeIntent]], effort: DecodeEffort,
    shouldStop: () -> Bool, onStage: ((Int, StagedText) -> Void)?
  ) -> [Result<DecodeResult, DecoderError>] {
    let tags = latents.map { "j\(Int($0[0]))" }
    batches.withLock { $0.append(tags) }
    efforts.withLock { $0.append(effort) }
    favours.withLock { seen in
      for (tag, asked) in zip(tags, intents) { seen[tag] = asked.map(\.favour) }
    }
    if holding, first.exchange(false, ordering: .relaxed) {
      entered.signal()
      release.wait()
      // As the real decoder does between generation steps: a stopped batch's results are
      // meaningless.
      if shouldStop() {
        return latents.map { _ in .failure(.badTarget("stopped")) }
      }
    }
    for (index, tag) in tags.enumerated() {
      onStage?(index, StagedText(stage: .bank, text: "\(tag)-bank", fidelity: 0.5, source: .bank))
    }
    return zip(tags, latents).map { tag, latent in
      .success(
        DecodeResult(
          text: tag, textLatent: latent, fidelity: 1, source: .generated, runnersUp: []))
    }
  }
}

/// Completions in the order they arrived, and a way to wait for the n-th.
final class CompletionLog: Sendable {
  private let entries = Mutex<[String]>([])
  private let arrived = DispatchSemaphore(value: 0)

  func job(_ tag: Int, key: String, candidates: Int = 2) -> DecodeScheduler.Job {
    DecodeScheduler.Job(
      key: key, latent: GatedDecoder.latent(tag), effort: DecodeEffort(candidates: candidates)
    ) {
      [self] result in
      if case .success(let decoded) = result { entries.withLock { $0.append(decoded.text) } }
      arrived.signal()
    }
  }

  /// The job, reporting its early stages into the log too.
  func stagedJob(_ tag: Int, key: String) -> DecodeScheduler.Job {
    var job = job(tag, key: key)
    job.onStage = { [self] stage in
      entries.withLock { $0.append("stage:\(stage.text)") }
      arrived.signal()
    }
    return job
  }

  /// Waits for `count` more completions (each within 10 s) and returns all so far.
  func wait(_ count: Int) -> [String] {
    for _ in 0..<count { _ = arrived.wait(timeout: .now() + 10) }
    return entries.withLock { $0 }
  }
}

/// The decode pool on a fake decoder with explicit gates: per-key coalescing (the newest
/// job wins), committed jobs before previews, bounded previews, the result cache. No model
/// weights and no sleeps: a test holds the worker inside the decoder, queues what it
/// wants, releases it, and ends with a fence job, so any extra decode would be in the log.
@Suite struct DecodeSchedulerTests {
  func pool(_ decoder: GatedDecoder, previewCapacity: Int = 8) -> DecodeScheduler {
    DecodeScheduler(
      decoder: decoder, workers: 1, previewCapacity: previewCapacity, batchLimit: 1,
      logger: Logger(label: "t"))
  }

  @Test func burstsCoalesceAndTheNewestJobWins() {
    let decoder = GatedDecoder(holdFirstBatch: true)
    let pool = pool(decoder)
    defer { pool.stop() }
    let log = CompletionLog()
    pool.submit(log.job(0, key: "blocker"))
    decoder.entered.wait()
    for index in 1...5 { pool.submit(log.job(index, key: "n")) }
    decoder.release.signal()
    #expect(log.wait(2) == ["j0", "j5"])
    pool.submit(log.job(99, key: "fence"))
    #expect(log.wait(1) == ["j0", "j5", "j99"])
    #expect(decoder.recorded == [["j0"], ["j5"], ["j99"]], "one decode for the whole burst")
    #expect(pool.snapshot.coalesced == 4)
  }

  @Test func stagesArriveBeforeTheFinalResultAndNotForASupersededMove() {
    let decoder = GatedDecoder(holdFirstBatch: true)
    let pool = pool(decoder)
    defer { pool.stop() }
    let log = CompletionLog()
    pool.submit(log.stagedJob(0, key: "n"))
    decoder.entered.wait()
    pool.submit(log.stagedJob(1, key: "n"))  // supersedes the running j0
    decoder.release.signal()
    #expect(log.wait(2) == ["stage:j1-bank", "j1"])
    pool.submit(log.job(99, key: "fence"))
    #expect(log.wait(1) == ["stage:j1-bank", "j1", "j99"], "nothing of j0 arrived")
  }

  @Test func firstStagesQueuedDuringABankScanAreFoundTogetherByTheNext() {
    let decoder = GatedDecoder(holdFirstBatch: true, holdFirstQuickStage: true)
    let pool = DecodeScheduler(
      decoder: decoder, workers: 1, batchLimit: 8, logger: Logger(label: "t"))
    defer { pool.stop() }
    let log = CompletionLog()
    pool.submit(log.stagedJob(1, key: "a"))
    decoder.quickEntered.wait()
    for index in 2...4 { pool.submit(log.stagedJob(index, key: "k\(index)")) }
    decoder.quickRelease.signal()
    decoder.release.signal()
    let seen = log.wait(4 + 4 + 4)  // per job: its quick stage, the fake's bank stage, the text
    #expect(decoder.recordedQuickStages == [["j1"], ["j2", "j3", "j4"]])
    for index in 1...4 { #expect(seen.contains("stage:j\(index)-quick")) }
  }

  @Test func committedJobsRunBeforePreviews() {
    let decoder = GatedDecoder(holdFirstBatch: true)
    let pool = pool(decoder)
    defer { pool.stop() }
    let log = CompletionLog()
    pool.submit(log.job(0, key: "blocker"))
    decoder.entered.wait()
    pool.submitPreview(log.job(1, key: "p"))
    pool.submit(log.job(2, key: "c"))
    decoder.release.signal()
    #expect(log.wait(3) == ["j0", "j2", "j1"])
  }

  @Test func aCommittedMoveStopsARunningPreviewWhichRunsAgainAfterIt() {
    let decoder = GatedDecoder(holdFirstBatch: true)
    let pool = pool(decoder)
    defer { pool.stop() }
    let log = CompletionLog()
    pool.submitPreview(log.job(1, key: "p"))
    decoder.entered.wait()
    pool.submit(log.job(2, key: "c"))
    decoder.release.signal()
    #expect(log.wait(2) == ["j2", "j1"], "the committed move first, then the preview again")
    pool.submit(log.job(99, key: "fence"))
    #expect(log.wait(1) == ["j2", "j1", "j99"])
    #expect(decoder.recorded == [["j1"], ["j2"], ["j1"], ["j99"]])
    #expect(pool.snapshot.preempted == 1)
  }

  @Test func aPreemptedPreviewThatWasReplacedIsNotRunTwice() {
    let decoder = GatedDecoder(holdFirstBatch: true)
    let pool = pool(decoder)
    defer { pool.stop() }
    let log = CompletionLog()
    pool.submitPreview(log.job(1, key: "p"))
    decoder.entered.wait()
    pool.submitPreview(log.job(3, key: "p"))  // a newer drag position for the same node
    pool.submit(log.job(2, key: "c"))
    decoder.release.signal()
    #expect(log.wait(2) == ["j2", "j3"])
    pool.submit(log.job(99, key: "fence"))
    #expect(log.wait(1) == ["j2", "j3", "j99"])
    #expect(decoder.recorded == [["j1"], ["j2"], ["j3"], ["j99"]])
  }

  @Test func aRunningPreviewFinishesAndOnlyTheNewestWaitingPositionRunsNext() {
    let decoder = GatedDecoder(holdFirstBatch: true)
    let pool = pool(decoder)
    defer { pool.stop() }
    let log = CompletionLog()
    pool.submitPreview(log.job(1, key: "p"))
    decoder.entered.wait()
    // The drag goes on while j1 decodes: three newer positions for the same node.
    for index in 2...4 { pool.submitPreview(log.job(index, key: "p")) }
    decoder.release.signal()
    #expect(log.wait(2) == ["j1", "j4"], "j1 is shown, then the newest position")
    pool.submit(log.job(99, key: "fence"))
    #expect(log.wait(1) == ["j1", "j4", "j99"])
    #expect(decoder.recorded == [["j1"], ["j4"], ["j99"]])
    #expect(pool.snapshot.cancelled == 0)
  }

  @Test func previewsAreBoundedButReplaceable() {
    let decoder = GatedDecoder(holdFirstBatch: true)
    let pool = pool(decoder, previewCapacity: 2)
    defer { pool.stop() }
    let log = CompletionLog()
    pool.submit(log.job(0, key: "blocker"))
    decoder.entered.wait()
    #expect(pool.submitPreview(log.job(1, key: "p1")))
    #expect(pool.submitPreview(log.job(2, key: "p2")))
    #expect(!pool.submitPreview(log.job(3, key: "p3")))
    #expect(pool.submitPreview(log.job(4, key: "p2")))
    decoder.release.signal()
    #expect(log.wait(3) == ["j0", "j1", "j4"])
    pool.submit(log.job(99, key: "fence"))
    #expect(log.wait(1) == ["j0", "j1", "j4", "j99"])
    #expect(decoder.recorded == [["j0"], ["j1"], ["j4"], ["j99"]])
    #expect(pool.snapshot.previewsRefused == 1)
  }

  @Test func repeatedPointsHitTheCache() {
    let decoder = GatedDecoder(holdFirstBatch: false)
    let pool = pool(decoder)
    defer { pool.stop() }
    let log = CompletionLog()
    pool.submit(log.job(7, key: "n"))
    #expect(log.wait(1) == ["j7"])
    pool.submit(log.job(7, key: "n"))
    #expect(log.wait(1) == ["j7", "j7"])
    #expect(decoder.recorded == [["j7"]], "the second decode came from the cache")
    #expect(pool.snapshot.cacheHits == 1)
    #expect(pool.snapshot.decodes == 1)
  }

  @Test func jobsTakenTogetherDecodeAsOneBatch() {
    let decoder = GatedDecoder(holdFirstBatch: true)
    let pool = DecodeScheduler(
      decoder: decoder, workers: 1, batchLimit: 4, busy: .off, logger: Logger(label: "t"))
    defer { pool.stop() }
    let log = CompletionLog()
    pool.submit(log.job(0, key: "blocker"))
    decoder.entered.wait()
    for index in 1...6 { pool.submit(log.job(index, key: "k\(index)")) }
    decoder.release.signal()
    #expect(log.wait(7).count == 7)
    #expect(decoder.recorded == [["j0"], ["j1", "j2", "j3", "j4"], ["j5", "j6"]])
  }

  /// A one-worker pool whose first job (j0) is held in the decoder while `queued`
  /// committed jobs of 8 candidates (j1…) queue behind it; returns once all have finished.
  /// The caller stops the pool.
  private func drainCrowdedQueue(batchLimit: Int, busy: BusyEffort, queued: Int)
    -> (pool: DecodeScheduler, decoder: GatedDecoder, log: CompletionLog)
  {
    let decoder = GatedDecoder(holdFirstBatch: true)
    let pool = DecodeScheduler(
      decoder: decoder, workers: 1, batchLimit: batchLimit, busy: busy,
      logger: Logger(label: "t"))
    let log = CompletionLog()
    pool.submit(log.job(0, key: "blocker", candidates: 8))
    decoder.entered.wait()
    for index in 1...queued { pool.submit(log.job(index, key: "k\(index)", candidates: 8)) }
    decoder.release.signal()
    #expect(log.wait(queued + 1).count == queued + 1)
    return (pool, decoder, log)
  }

  @Test func aCrowdedQueueDrainsInSmallBatchesAtTheBusyEffort() {
    let (pool, decoder, log) = drainCrowdedQueue(
      batchLimit: 4, busy: BusyEffort(candidates: 3), queued: 5)
    defer { pool.stop() }
    // j5 is taken with nothing behind it: full effort again. A job that already asks for
    // fewer candidates than the busy effort keeps its own.
    pool.submit(log.job(9, key: "alone", candidates: 8))
    #expect(log.wait(1).count == 7)
    #expect(decoder.recorded == [["j0"], ["j1", "j2"], ["j3", "j4"], ["j5"], ["j9"]])
    #expect(decoder.recordedCandidates == [8, 3, 3, 8, 8])
  }

  @Test func aBusyBatchMayExceedThePoolsBatch() {
    let (pool, decoder, _) = drainCrowdedQueue(
      batchLimit: 2, busy: BusyEffort(candidates: 1, batchLimit: 5), queued: 6)
    defer { pool.stop() }
    // Greedy-only jobs are cheap rows: five are taken together while others wait; the last
    // one, alone, gets the pool's own batch at full effort.
    #expect(decoder.recorded == [["j0"], ["j1", "j2", "j3", "j4", "j5"], ["j6"]])
    #expect(decoder.recordedCandidates == [8, 1, 8])
    // Their intent rounds shrink with them (two texts from past the target, by default).
    #expect(decoder.recordedIntentCandidates == [4, 2, 4])
  }

  @Test func theIntentRoundIsPartOfTheCacheKey() {
    let latent = GatedDecoder.latent(3)
    let without = DecodeCache.key(latent, effort: DecodeEffort(candidates: 1, intentCandidates: 0))
    let with = DecodeCache.key(latent, effort: DecodeEffort(candidates: 1, intentCandidates: 1))
    #expect(without != with, "a busy decode's result never answers a full one")
  }

  @Test func theBusyEffortMayDropTheIntentRound() {
    let (pool, decoder, _) = drainCrowdedQueue(
      batchLimit: 4, busy: BusyEffort(candidates: 2, batchLimit: 4, intentCandidates: 0),
      queued: 3)
    defer { pool.stop() }
    #expect(decoder.recorded == [["j0"], ["j1", "j2", "j3"]])
    #expect(decoder.recordedCandidates == [8, 2])
    #expect(decoder.recordedIntentCandidates == [4, 0])
  }

  @Test func theConfiguredMarginWeighsEveryJobsIntents() {
    let intent = DecodeIntent(direction: GatedDecoder.latent(0), atLeast: 0, favour: 0.1)
    for (margin, expected) in [(Float(0.25), [Float(0.25), 0.25]), (0, [])] {
      let decoder = GatedDecoder(holdFirstBatch: false)
      let pool = DecodeScheduler(
        decoder: decoder, workers: 1, batchLimit: 1, intentMargin: margin,
        logger: Logger(label: "t"))
      defer { pool.stop() }
      let log = CompletionLog()
      var committed = log.job(1, key: "a")
      committed.intents = [intent, intent]
      pool.submit(committed)
      #expect(log.wait(1) == ["j1"])
      var preview = log.job(2, key: "b")
      preview.intents = [intent, intent]
      pool.submitPreview(preview)
      #expect(log.wait(1) == ["j1", "j2"])
      #expect(decoder.recordedFavours["j1"] == expected, "margin \(margin)")
      #expect(decoder.recordedFavours["j2"] == expected, "margin \(margin)")
    }
  }
}
