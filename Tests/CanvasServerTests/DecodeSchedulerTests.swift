import Dispatch
import Foundation
import Latent
import Logging
import Testing

@testable import CanvasServer

/// The decode pool: per-key coalescing (the newest job wins), committed jobs before
/// previews, bounded previews, and the result cache. Uses the committed models.
@Suite(.serialized) struct DecodeSchedulerTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  static let pipeline: LatentDecoder? = {
    let path = { (relative: String) in root.appendingPathComponent(relative).path }
    let decoder =
      ProcessInfo.processInfo.environment["LATITUDE_DECODER"] ?? TextDecoder.defaultDirectory
    guard let encoder = try? SentenceEncoder(directory: path(SentenceEncoder.defaultDirectory)),
      let textDecoder = try? TextDecoder(directory: path(decoder))
    else { return nil }
    return try? LatentDecoder(encoder: encoder, decoder: textDecoder, bank: nil)
  }()

  /// Collects completions in order.
  final class Log: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var entries: [String] = []
    func add(_ entry: String) {
      lock.lock()
      entries.append(entry)
      lock.unlock()
    }
    var all: [String] {
      lock.lock()
      defer { lock.unlock() }
      return entries
    }
    func wait(count: Int) -> [String] {
      let deadline = Date().addingTimeInterval(60)
      while all.count < count, Date() < deadline { usleep(5_000) }
      return all
    }
  }

  func scheduler(previewCapacity: Int = 8) throws -> DecodeScheduler {
    let pipeline = try #require(Self.pipeline, "the encoder and decoder weights must be present")
    return DecodeScheduler(
      decoder: pipeline, workers: 1, previewCapacity: previewCapacity, logger: Logger(label: "t"))
  }

  /// A job whose completion holds the worker until `gate` is signalled, so the jobs
  /// submitted meanwhile are all queued when the worker looks again. Callers wait for its
  /// log entry before submitting more: until then the worker may not have taken it, and
  /// could take it in one batch with the next job.
  func blocker(_ log: Log, gate: DispatchSemaphore) -> DecodeScheduler.Job {
    var blocking = job("busy", key: "blocker", seed: 1, log: log)
    let record = blocking.completion
    blocking.completion = { result in
      record(result)
      gate.wait()
    }
    return blocking
  }

  func job(_ tag: String, key: String, seed: UInt64, log: Log) -> DecodeScheduler.Job {
    var generator = SplitMix64(seed: seed)
    let latent = (0..<384).map { _ in generator.nextGaussian() }
    return DecodeScheduler.Job(key: key, latent: latent, candidates: 2) { result in
      if case .success = result { log.add(tag) }
    }
  }

  @Test func burstsCoalesceAndTheNewestJobWins() throws {
    let pool = try scheduler()
    defer { pool.stop() }
    let log = Log()
    let gate = DispatchSemaphore(value: 0)
    pool.submit(blocker(log, gate: gate))
    _ = log.wait(count: 1)  // the worker now holds in the blocker's completion
    for index in 1...5 {
      pool.submit(job("move\(index)", key: "n", seed: UInt64(10 + index), log: log))
    }
    gate.signal()
    let done = log.wait(count: 2)
    usleep(200_000)
    #expect(done == ["busy", "move5"])
    #expect(log.all == ["busy", "move5"])
    #expect(pool.snapshot.coalesced == 4)
  }

  @Test func committedJobsRunBeforePreviews() throws {
    let pool = try scheduler()
    defer { pool.stop() }
    let log = Log()
    let gate = DispatchSemaphore(value: 0)
    pool.submit(blocker(log, gate: gate))
    _ = log.wait(count: 1)  // the worker now holds in the blocker's completion
    pool.submitPreview(job("preview", key: "p", seed: 2, log: log))
    pool.submit(job("committed", key: "c", seed: 3, log: log))
    gate.signal()
    #expect(log.wait(count: 3) == ["busy", "committed", "preview"])
  }

  @Test func previewsAreBoundedButReplaceable() throws {
    let pool = try scheduler(previewCapacity: 2)
    defer { pool.stop() }
    let log = Log()
    let gate = DispatchSemaphore(value: 0)
    pool.submit(blocker(log, gate: gate))
    _ = log.wait(count: 1)  // the worker now holds in the blocker's completion
    #expect(pool.submitPreview(job("p1", key: "p1", seed: 2, log: log)))
    #expect(pool.submitPreview(job("p2", key: "p2", seed: 3, log: log)))
    #expect(!pool.submitPreview(job("p3", key: "p3", seed: 4, log: log)))
    #expect(pool.submitPreview(job("p2b", key: "p2", seed: 5, log: log)))
    gate.signal()
    #expect(log.wait(count: 3) == ["busy", "p1", "p2b"])
    #expect(pool.snapshot.previewsRefused == 1)
  }

  @Test func repeatedPointsHitTheCache() throws {
    let pool = try scheduler()
    defer { pool.stop() }
    let log = Log()
    pool.submit(job("first", key: "n", seed: 9, log: log))
    _ = log.wait(count: 1)
    pool.submit(job("again", key: "n", seed: 9, log: log))
    #expect(log.wait(count: 2) == ["first", "again"])
    #expect(pool.snapshot.cacheHits == 1)
    #expect(pool.snapshot.decodes == 1)
  }
}
