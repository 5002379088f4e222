import LatentMath
import Testing

@testable import Maps

@Suite struct NearestNeighborsTests {
  @Test func exactSearchMatchesBruteForce() {
    // 700 rows: more than one 512-row block.
    let (points, _) = MapFixtures.clusters(5, perCluster: 140, dimension: 16)
    let graph = NearestNeighbors.exact(points, k: 10)
    let unit = NearestNeighbors.normalizedRows(points)
    for i in stride(from: 0, to: points.rows, by: 37) {
      let query = unit.row(i)
      var sims: [(index: Int, similarity: Float)] = []
      for j in 0..<points.rows where j != i {
        sims.append((j, VectorMath.dot(query, unit.row(j))))
      }
      sims.sort {
        $0.similarity != $1.similarity ? $0.similarity > $1.similarity : $0.index < $1.index
      }
      let expected: [Int] = sims.prefix(10).map { $0.index }
      #expect(graph.neighbors(of: i).map(Int.init) == expected)
      for slot in 0..<10 {
        let want = max(0, 1 - sims[slot].similarity)
        #expect(abs(graph.distances[i * 10 + slot] - want) < 1e-5)
      }
    }
  }

  @Test func neighbourCountIsCappedAndSelfExcluded() {
    let points = Matrix(rows: 3, columns: 2, values: [1, 0, 0, 1, 1, 1])
    let graph = NearestNeighbors.exact(points, k: 10)
    #expect(graph.k == 2)
    for i in 0..<3 { #expect(!graph.neighbors(of: i).contains(Int32(i))) }
    let query = NearestNeighbors.query(
      Matrix(rows: 1, columns: 2, values: [1, 0.1]), in: points, k: 1)
    #expect(query.indices == [0])
  }

  @Test func tridiagonalEigenvaluesOfAKnownMatrix() throws {
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
    let (values, vectors) = try #require(
      SymmetricTridiagonal.eigen(diagonal: [2, 2], offDiagonal: [1]))
    #expect(abs(values[0] - 1) < 1e-12 && abs(values[1] - 3) < 1e-12)
    #expect(abs(abs(vectors[1]) - 0.5.squareRoot()) < 1e-12)
    #expect(SymmetricTridiagonal.eigen(diagonal: [1, 2], offDiagonal: []) == nil)
  }
}
