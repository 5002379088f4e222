import Foundation
import Testing

/// `latitude map`: a file of sentences laid out by UMAP and t-SNE, with new points placed.
@Suite struct MapCLITests {
  static let sentences = [
    "The flight was delayed for six hours.", "Our plane left three hours late.",
    "The airline lost my luggage again.", "I love baking bread on Sunday mornings.",
    "Fresh sourdough needs a long rise.", "She bakes cinnamon rolls for the neighbours.",
    "The central bank raised interest rates.", "Stocks fell after the inflation report.",
    "Bond yields climbed to a ten-year high.",
  ]

  @Test(arguments: ["umap", "tsne"])
  func sentencesAreLaidOutAndNewOnesPlaced(method: String) throws {
    let folder = try CLIProcess.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let input = folder.appendingPathComponent("sentences.txt")
    try Data((Self.sentences.joined(separator: "\n") + "\n").utf8).write(to: input)
    let new = folder.appendingPathComponent("new.txt")
    try Data("My connecting flight was cancelled.\n".utf8).write(to: new)
    let out = folder.appendingPathComponent("map.json")
    let extra = method == "umap" ? ["--neighbors", "4"] : ["--perplexity", "2"]
    let result = try CLIProcess.run(
      ["map", "--method", method, input.path, "--transform", new.path, "-o", out.path] + extra)
    #expect(result.status == 0, "\(result.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
    let positions = try #require(json["positions"] as? [[Double]])
    #expect(positions.count == Self.sentences.count)
    #expect(positions.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isFinite) })
    #expect((json["transformed"] as? [[Double]])?.count == 1)
    #expect(json["method"] as? String == method)
    // The same seed gives the same map.
    let again = try CLIProcess.run(
      ["map", "--method", method, input.path] + extra)
    let second = try #require(
      try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
    #expect(second["positions"] as? [[Double]] == positions)
  }

  @Test func badInputGetsClearErrors() throws {
    let folder = try CLIProcess.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let garbage = folder.appendingPathComponent("bad.npy")
    try Data("not a numpy file".utf8).write(to: garbage)
    let bad = try CLIProcess.run(["map", garbage.path])
    #expect(bad.status != 0 && bad.stderr.contains("cannot read"), "\(bad.stderr)")
    let two = folder.appendingPathComponent("two.txt")
    try Data("One sentence.\nAnother one.\n".utf8).write(to: two)
    let few = try CLIProcess.run(["map", two.path])
    #expect(few.status != 0 && few.stderr.contains("at least 3 points"), "\(few.stderr)")
    let params = try CLIProcess.run(["map", two.path, "--neighbors", "1"])
    #expect(params.status != 0, "\(params.stderr)")
  }
}
