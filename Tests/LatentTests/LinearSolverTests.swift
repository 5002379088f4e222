import Testing

@testable import LatentMath

/// The positive-definite solve the axis builder's Newton steps use.
@Suite struct LinearSolverTests {
  @Test func solvesASmallSystemExactly() {
    // [[4, 1], [1, 3]] x = [1, 2]  →  x = [1/11, 7/11]
    var matrix: [Double] = [4, 1, 1, 3]
    var rhs: [Double] = [1, 2]
    #expect(LinearSolver.solvePositiveDefinite(&matrix, &rhs, dimension: 2))
    #expect(abs(rhs[0] - 1.0 / 11) < 1e-12)
    #expect(abs(rhs[1] - 7.0 / 11) < 1e-12)
  }

  @Test func refusesIndefiniteMatricesAndWrongSizes() {
    var indefinite: [Double] = [1, 2, 2, 1]
    var rhs: [Double] = [1, 1]
    #expect(!LinearSolver.solvePositiveDefinite(&indefinite, &rhs, dimension: 2))
    var short: [Double] = [1, 0, 0]
    #expect(!LinearSolver.solvePositiveDefinite(&short, &rhs, dimension: 2))
  }
}
