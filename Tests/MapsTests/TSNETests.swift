import Foundation
import LatentMath
import Testing

@testable import Maps

@Suite struct TSNETests {
  @Test func barnesHutWithThetaZeroIsTheExactSum() {
    var rng = SplitMix64(seed: 5)
    let n = 200
    let layout = (0..<2 * n).map { _ in rng.nextGaussian() * 3 }
    // Two coincident points exercise the multi-point leaf.
    var points = layout
    points[2] = points[0]
    points[3] = points[1]
    let tree = points.withUnsafeBufferPointer { QuadTree(layout: $0, count: n) }
    var stack: [Int32] = []
    for i in [0, 1, 17, 199] {
      let bh = tree.repulsion(
        x: points[2 * i], y: points[2 * i + 1], skip: Int32(i), theta: 0, stack: &stack)
      var sumQ: Float = 0
      var fx: Float = 0
      var fy: Float = 0
      for j in 0..<n where j != i {
        let dx = points[2 * i] - points[2 * j]
        let dy = points[2 * i + 1] - points[2 * j + 1]
        let q = 1 / (1 + dx * dx + dy * dy)
        sumQ += q
        fx += q * q * dx
        fy += q * q * dy
      }
      #expect(abs(bh.sumQ - sumQ) < 1e-3 * sumQ)
      #expect(abs(bh.forceX - fx) < 1e-3 && abs(bh.forceY - fy) < 1e-3)
      // With θ = 0.5 the sum is close.
      let rough = tree.repulsion(
        x: points[2 * i], y: points[2 * i + 1], skip: Int32(i), theta: 0.5, stack: &stack)
      #expect(abs(rough.sumQ - sumQ) < 0.05 * sumQ)
    }
  }

  @Test func affinitiesReachThePerplexityAndSumToOne() {
    let (points, _) = MapFixtures.clusters(3, perCluster: 50)
    let graph = NearestNeighbors.exact(points, k: 30)
    let conditional = PerplexityAffinities.conditional(graph, perplexity: 10)
    for i in [0, 70, 149] {
      let row = conditional[i * 30..<(i + 1) * 30].map(Double.init)
      #expect(abs(row.reduce(0, +) - 1) < 1e-4)
      let entropy = -row.filter { $0 > 0 }.reduce(0) { $0 + $1 * log($1) }
      #expect(abs(exp(entropy) - 10) < 0.05)
    }
    let joint = PerplexityAffinities(graph, perplexity: 10)
    #expect(abs(joint.values.reduce(Float(0), +) - 1) < 1e-4)
  }

  @Test func fitKeepsClustersApartAndIsDeterministic() throws {
    // A map is deterministic on one BLAS thread (as `latitude map` and the server run it).
    // Other tests switch OpenBLAS to one thread at some point; switching first means both
    // fits below run alike, whatever ran before (its kernels differ by thread count).
    BLAS.useOneThreadPerCall()
    let (points, labels) = MapFixtures.clusters(4, perCluster: 60)
    let parameters = TSNEParameters(perplexity: 15, iterations: 300)
    let model = try TSNE.fit(points, parameters: parameters)
    #expect(model.embedding.allSatisfy { $0.isFinite })
    #expect(MapFixtures.neighbourAgreement(model.embedding, labels: labels) > 0.97)
    #expect(MapQuality.trustworthiness(points: points, layout: model.embedding, k: 15) > 0.9)
    #expect(try TSNE.fit(points, parameters: parameters).embedding == model.embedding)
  }

  @Test func transformPlacesNewPointsNearTheirCluster() throws {
    let (all, labels) = MapFixtures.clusters(3, perCluster: 60, seed: 19)
    let held = labels.indices.filter { $0 % 12 == 0 }
    let kept = labels.indices.filter { $0 % 12 != 0 }
    let rows = { (indices: [Int]) in MapFixtures.rows(indices, of: all) }
    let model = try TSNE.fit(
      rows(kept), parameters: TSNEParameters(perplexity: 15, iterations: 300))
    let placed = try model.transform(rows(held))
    let keptLabels = kept.map { labels[$0] }
    for (slot, index) in held.enumerated() {
      let nearest = MapFixtures.nearestCentroid(
        x: placed[2 * slot], y: placed[2 * slot + 1], layout: model.embedding, labels: keptLabels)
      #expect(nearest == labels[index])
    }
    #expect(throws: MapError.dimensionMismatch(expected: 32, got: 2)) {
      try model.transform(Matrix(rows: 1, columns: 2, values: [1, 0]))
    }
  }
}
