import Canvas
import Dispatch
import LatentMath

/// The shell's side of maps: the computations run on a background queue at utility
/// priority (a 5,000-node UMAP takes seconds), never on the room's queue, and their
/// results go back to the core on it.
extension Room {
  /// Where map fits and placements run: concurrent, below the service thread's priority.
  static let mapQueue = DispatchQueue(
    label: "latitude.maps", qos: .utility, attributes: .concurrent)

  func computeMap(_ job: RoomCore.MapJob) {
    Self.mapQueue.async { [weak self] in
      let started = ContinuousClock.now
      let result = MapRunner.layout(job)
      guard let self else { return }
      logger.info(
        "map computed",
        metadata: [
          "doc": "\(id)", "method": "\(job.method.rawValue)", "nodes": "\(job.nodes.count)",
          "seconds": "\((ContinuousClock.now - started).seconds)",
        ])
      queue.async { self.perform(self.core.mapComputed(job, result)) }
    }
  }

  func placeOnMap(_ job: RoomCore.PlacementJob) {
    Self.mapQueue.async { [weak self] in
      let result = MapRunner.place(job)
      guard let self else { return }
      queue.async { self.perform(self.core.placed(job, result)) }
    }
  }
}
