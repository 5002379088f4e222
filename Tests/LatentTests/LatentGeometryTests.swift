import Foundation
import Testing

@testable import Latent

@Suite struct LatentGeometryTests {
  static func random(_ seed: UInt64, dimension: Int = 16) -> [Float] {
    var generator = SplitMix64(seed: seed)
    return LatentGeometry.normalized((0..<dimension).map { _ in generator.nextGaussian() })
  }

  @Test func projectionIsTheDotProduct() {
    let axes = [[1, 0, 0], [0.6, 0.8, 0]] as [[Float]]
    let projected = LatentGeometry.project([0.5, 0.5, 0.7], onto: axes)
    #expect(abs(projected[0] - 0.5) < 1e-6 && abs(projected[1] - 0.7) < 1e-6)
  }

  @Test("moves hit target projections on non-orthogonal axes", arguments: 0..<20 as Range<UInt64>)
  func moveHitsTargets(seed: UInt64) {
    let point = Self.random(seed)
    // Two axes 60° apart.
    let x = Self.random(seed + 100)
    var y = Self.random(seed + 200)
    let along = VectorMath.dot(x, y)
    y = LatentGeometry.normalized(zip(y, x).map { $0 - along * $1 })
    let tilted = LatentGeometry.normalized(zip(x, y).map { 0.5 * $0 + 0.866_025 * $1 })
    let targets: [Float] = [0.3, -0.2]
    let moved = LatentGeometry.move(point, onto: [x, tilted], targets: targets)
    #expect(abs(VectorMath.norm(moved) - 1) < 1e-5)
    let reached = LatentGeometry.project(moved, onto: [x, tilted])
    #expect(
      abs(reached[0] - targets[0]) < 1e-4 && abs(reached[1] - targets[1]) < 1e-4, "\(reached)")
  }

  @Test func moveOnOrthonormalAxesMatchesTheClosedForm() {
    // With orthonormal axes the answer is exact: set the axis components to the targets and
    // rescale the rest to keep unit length.
    let point: [Float] = LatentGeometry.normalized([0.2, 0.1, 0.5, 0.4, -0.3])
    let axes: [[Float]] = [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0]]
    let moved = LatentGeometry.move(point, onto: axes, targets: [0.6, -0.3])
    let restNorm = (1 - 0.36 - 0.09 as Float).squareRoot()
    let rest = LatentGeometry.normalized(Array(point[2...])).map { $0 * restNorm }
    let expected: [Float] = [0.6, -0.3] + rest
    #expect(zip(moved, expected).allSatisfy { abs($0 - $1) < 1e-4 }, "\(moved) vs \(expected)")
  }

  @Test func parallelAxesDoNotBlowUp() {
    let a: [Float] = [1, 0, 0]
    let moved = LatentGeometry.move([0, 1, 0], onto: [a, a], targets: [0.5, 0.5])
    #expect(moved.allSatisfy { $0.isFinite })
    #expect(abs(VectorMath.dot(moved, a) - 0.5) < 1e-4)
  }

  @Test func slerpFollowsTheGreatCircle() {
    let a: [Float] = [1, 0, 0]
    let b: [Float] = [0, 1, 0]
    let mid = LatentGeometry.slerp(a, b, t: 0.5)
    #expect(abs(mid[0] - 0.707_106_8) < 1e-6 && abs(mid[1] - 0.707_106_8) < 1e-6)
    let third = LatentGeometry.slerp(a, b, t: 1.0 / 3)
    #expect(abs(acos(Double(VectorMath.dot(third, a))) - .pi / 6) < 1e-5)
    #expect(LatentGeometry.slerp(a, a, t: 0.3) == a)
  }

  @Test func blurSamplesAtTheExactRadiusAndIsSeeded() {
    let center = Self.random(7, dimension: 384)
    let samples = LatentGeometry.blur(center, radius: 0.4, count: 12, seed: 99)
    #expect(samples.count == 12)
    for s in samples {
      #expect(abs(VectorMath.norm(s) - 1) < 1e-5)
      #expect(abs(acos(min(1, Double(VectorMath.dot(s, center)))) - 0.4) < 1e-3)
    }
    #expect(LatentGeometry.blur(center, radius: 0.4, count: 12, seed: 99) == samples)
    #expect(LatentGeometry.blur(center, radius: 0.4, count: 12, seed: 100) != samples)
  }

  @Test func meanDifferenceAxisAndCalibration() throws {
    let positives: [[Float]] = [[1, 1, 0], [1, -1, 0]]
    let negatives: [[Float]] = [[-1, 0, 1], [-1, 0, -1]]
    let axis = try #require(
      LatentGeometry.meanDifferenceAxis(positives: positives, negatives: negatives))
    #expect(axis.direction == [1, 0, 0])
    #expect(axis.positiveMean == 1)
    #expect(axis.negativeMean == -1)
    #expect(LatentGeometry.meanDifferenceAxis(positives: [[1, 0]], negatives: [[1, 0]]) == nil)
  }

  @Test func principalComponentsRecoverKnownDirections() throws {
    // Points spread 3× more along u than along v, in 8 dimensions.
    let u = LatentGeometry.normalized([1, 1, 0, 0, 0, 0, 0, 0])
    let v = LatentGeometry.normalized([0, 0, 1, -1, 0, 0, 0, 0])
    var generator = SplitMix64(seed: 3)
    let points = (0..<2000).map { _ -> [Float] in
      let a = 3 * generator.nextGaussian()
      let b = generator.nextGaussian()
      return (0..<8).map { 5 + a * u[$0] + b * v[$0] }
    }
    let pca = try #require(PrincipalComponents(points: points, count: 2))
    #expect(abs(abs(VectorMath.dot(pca.components[0], u)) - 1) < 1e-3)
    #expect(abs(abs(VectorMath.dot(pca.components[1], v)) - 1) < 1e-3)
    #expect(abs(pca.variances[0] - 9) < 0.9 && abs(pca.variances[1] - 1) < 0.1, "\(pca.variances)")
    #expect(abs(pca.mean[0] - 5) < 0.2)
  }
}

@Suite struct FastMathTests {
  @Test func expAndErfMatchLibm() {
    var worstExp: Float = 0
    var worstErf: Float = 0
    for i in stride(from: -2000, to: 2000, by: 8) {
      let xs = FastMath.Vector((0..<8).map { Float(i + $0) / 200 })
      let e = FastMath.exp(xs)
      let r = FastMath.erf(xs)
      for lane in 0..<8 {
        worstExp = max(worstExp, abs(e[lane] - expf(xs[lane])) / expf(xs[lane]))
        worstErf = max(worstErf, abs(r[lane] - erff(xs[lane])))
      }
    }
    #expect(worstExp < 1e-6, "relative exp error \(worstExp)")
    #expect(worstErf < 5e-7, "absolute erf error \(worstErf)")
    #expect(FastMath.exp(FastMath.Vector(repeating: -200))[0] == 0)
  }

  @Test func geluMatchesTheExactFormula() {
    var values = (0..<1000).map { Float($0 - 500) / 100 }
    let expected = values.map { 0.5 * $0 * (1 + erff($0 / 2.0.squareRoot().floatValue)) }
    values.withUnsafeMutableBufferPointer { Activations.gelu($0.baseAddress!, count: $0.count) }
    #expect(zip(values, expected).allSatisfy { abs($0 - $1) < 1e-6 })
  }
}

extension Double {
  fileprivate var floatValue: Float { Float(self) }
}
