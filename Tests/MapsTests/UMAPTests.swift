import Foundation
import LatentMath
import Testing

@testable import Maps

@Suite struct UMAPTests {
  @Test func curveMatchesUmapLearnForTheDefaults() {
    // umap-learn's find_ab_params(1.0, 0.1) gives a = 1.5769, b = 0.8951.
    let curve = UMAPCurve(minDist: 0.1)
    #expect(abs(curve.a - 1.5769) < 0.01)
    #expect(abs(curve.b - 0.8951) < 0.01)
    let loose = UMAPCurve(minDist: 0.5)
    #expect(loose.a < curve.a)
  }

  @Test func fuzzyGraphIsSymmetricWithWeightsInUnitInterval() {
    let (points, _) = MapFixtures.clusters(3, perCluster: 40)
    let graph = FuzzyGraph(neighbors: NearestNeighbors.exact(points, k: 9))
    var weight: [Int: Float] = [:]
    for e in 0..<graph.heads.count {
      #expect(graph.heads[e] != graph.tails[e])
      #expect(graph.weights[e] > 0 && graph.weights[e] <= 1)
      weight[Int(graph.heads[e]) * 1000 + Int(graph.tails[e])] = graph.weights[e]
    }
    for e in 0..<graph.heads.count {
      #expect(weight[Int(graph.tails[e]) * 1000 + Int(graph.heads[e])] == graph.weights[e])
    }
    // Smooth-kNN: every point's nearest neighbour has membership 1.
    let directed = FuzzyMembership.directed(NearestNeighbors.exact(points, k: 9))
    for i in 0..<points.rows { #expect(directed[i * 9] == 1) }
  }

  @Test func spectralLayoutSeparatesTwoClusters() throws {
    let (points, labels) = MapFixtures.clusters(2, perCluster: 60, spread: 0.1)
    var graph = FuzzyGraph(neighbors: NearestNeighbors.exact(points, k: 10))
    // Two well-separated blobs are disconnected: the layout refuses (PCA takes over).
    if !SpectralLayout.isConnected(graph) {
      #expect(SpectralLayout.layout(graph, seed: 1) == nil)
      // Join the blobs by one weak edge both ways to make the graph connected.
      graph.heads += [0, 60]
      graph.tails += [60, 0]
      graph.weights += [0.01, 0.01]
      let order = graph.heads.indices.sorted {
        (graph.heads[$0], graph.tails[$0]) < (graph.heads[$1], graph.tails[$1])
      }
      graph.heads = order.map { graph.heads[$0] }
      graph.tails = order.map { graph.tails[$0] }
      graph.weights = order.map { graph.weights[$0] }
    }
    let layout = try #require(SpectralLayout.layout(graph, seed: 1))
    // The Fiedler vector's sign splits the clusters.
    let first = layout[0]
    let signs = labels.indices.map { first[$0] > 0 }
    let agree = labels.indices.filter {
      signs[$0] == (labels[$0] == labels[0] ? signs[0] : !signs[0])
    }
    #expect(agree.count >= 118)
  }

  @Test func fitKeepsClustersApartAndIsDeterministic() throws {
    // A map is deterministic on one BLAS thread (as `latitude map` and the server run it).
    // Other tests switch OpenBLAS to one thread at some point; switching first means both
    // fits below run alike, whatever ran before (its kernels differ by thread count).
    BLAS.useOneThreadPerCall()
    let (points, labels) = MapFixtures.clusters(4, perCluster: 75)
    let parameters = UMAPParameters(epochs: 200, seed: 3)
    let model = try UMAP.fit(points, parameters: parameters)
    #expect(model.embedding.count == 600)
    #expect(model.embedding.allSatisfy { $0.isFinite })
    #expect(MapFixtures.neighbourAgreement(model.embedding, labels: labels) > 0.97)
    #expect(MapQuality.trustworthiness(points: points, layout: model.embedding, k: 15) > 0.9)
    let again = try UMAP.fit(points, parameters: parameters)
    #expect(again.embedding == model.embedding)
    let other = try UMAP.fit(points, parameters: UMAPParameters(epochs: 200, seed: 4))
    #expect(other.embedding != model.embedding)
  }

  @Test func transformPlacesNewPointsNearTheirClusterAndMovesNoOldPoint() throws {
    let (all, labels) = MapFixtures.clusters(3, perCluster: 70, seed: 11)
    // Hold out every tenth point.
    let held = labels.indices.filter { $0 % 10 == 0 }
    let kept = labels.indices.filter { $0 % 10 != 0 }
    let rows = { (indices: [Int]) in MapFixtures.rows(indices, of: all) }
    let model = try UMAP.fit(rows(kept), parameters: UMAPParameters(epochs: 200))
    let before = model.embedding
    let placed = try model.transform(rows(held))
    #expect(model.embedding == before)
    let keptLabels = kept.map { labels[$0] }
    for (slot, index) in held.enumerated() {
      let nearest = MapFixtures.nearestCentroid(
        x: placed[2 * slot], y: placed[2 * slot + 1], layout: model.embedding, labels: keptLabels)
      #expect(nearest == labels[index])
    }
    #expect(try model.transform(rows(held)) == placed)
    // A point identical to a reference point lands close to it.
    let twin = try model.transform(rows([kept[5]]))
    let (tx, ty) = (twin[0] - before[10], twin[1] - before[11])
    #expect((tx * tx + ty * ty).squareRoot() < 1.5)
  }

  @Test func badInputIsRefusedWithAReason() {
    var (points, _) = MapFixtures.clusters(2, perCluster: 10)
    points.values[37] = .nan
    #expect(throws: MapError.nonFinite(row: 1)) { try UMAP.fit(points) }
    let two = Matrix(rows: 2, columns: 3, values: [1, 0, 0, 0, 1, 0])
    #expect(throws: MapError.tooFewPoints(count: 2, minimum: 3)) { try UMAP.fit(two) }
    #expect(throws: MapError.self) {
      try UMAP.fit(points, parameters: UMAPParameters(neighbors: 1))
    }
  }

  @Test func tinyAndDisconnectedInputsFallBackToPCA() throws {
    let (points, _) = MapFixtures.clusters(3, perCluster: 2)
    let model = try UMAP.fit(points, parameters: UMAPParameters(epochs: 50))
    #expect(model.embedding.count == 12)
    #expect(model.embedding.allSatisfy { $0.isFinite })
  }
}

@Suite struct FastPowerTests {
  @Test func matchesPowfWithinTwoTenThousandthsRelative() {
    var worst: Float = 0
    for exponent in [0.8950608 as Float, -0.1049392, 0.5, 1.7] {
      var x: Float = 1e-6
      while x < 1e6 {
        let exact = Float(Foundation.pow(Double(x), Double(exponent)))
        worst = max(worst, abs(FastPower.pow(x, exponent) - exact) / exact)
        let lanes = FastPower.pow(SIMD4(x, x * 1.001, x * 1.002, x * 1.003), exponent)
        let exactLane = Float(Foundation.pow(Double(x * 1.002), Double(exponent)))
        worst = max(worst, abs(lanes[2] - exactLane) / exactLane)
        x *= 1.0173
      }
    }
    #expect(worst < 2e-5)
  }
}
