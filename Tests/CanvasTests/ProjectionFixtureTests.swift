import Canvas
import Foundation
import LatentMath
import Testing

/// The shared projection fixture (Tests/Fixtures/projection.json): what the server sends as
/// a node's `coords` is what the canvas's JavaScript model computes from latents
/// (Tests/js/model.test.mjs checks the same file), so the two copies cannot drift.
@Suite struct ProjectionFixtureTests {
  struct Fixture: Decodable {
    struct Axis: Decodable {
      var id: String
      var direction: String
      var calibration: AxisCalibration
    }
    struct Node: Decodable {
      var id: String
      var latent: String
      var coords: [String: Float]
    }
    var axes: [Axis]
    var nodes: [Node]
  }

  @Test func swiftProjectionsMatchTheSharedFixture() throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/projection.json")
    let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    #expect(fixture.nodes.count == 5)
    for node in fixture.nodes {
      let latent = try HalfPrecisionCodec.decode(base64: node.latent).floats
      for axis in fixture.axes {
        let direction = try HalfPrecisionCodec.decode(base64: axis.direction).floats
        let at = axis.calibration.coordinate(ofProjection: VectorMath.dot(latent, direction))
        let expected = try #require(node.coords[axis.id])
        #expect(abs(at - expected) < 1e-3, "\(node.id) on \(axis.id)")
      }
    }
  }
}
