import Foundation
import Testing

/// `latitude features`: a text's labelled features, search, one feature, clear errors.
@Suite struct FeaturesCLITests {
  @Test func aTextsFeaturesAreListedStrongestFirst() throws {
    let result = try CLIProcess.run(["features", "My flight was delayed for six hours", "--json"])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let features = try #require(json["features"] as? [[String: Any]])
    #expect(features.count == 10)
    let values = features.compactMap { $0["activation"] as? Double }
    #expect(values == values.sorted(by: >) && values.allSatisfy { $0 > 0 })
    #expect(features.allSatisfy { !(($0["label"] as? String) ?? "").isEmpty })
    let table = try CLIProcess.run(["features", "The soup was cold.", "--top", "3"])
    #expect(table.status == 0 && table.stdout.split(separator: "\n").count == 3, "\(table.stdout)")
  }

  @Test func searchAndShowDescribeFeatures() throws {
    let found = try CLIProcess.run(["features", "--search", "cooking", "--json"])
    #expect(found.status == 0, "\(found.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [String: Any])
    let first = try #require((json["features"] as? [[String: Any]])?.first?["id"] as? Int)
    let shown = try CLIProcess.run(["features", "--show", "\(first)"])
    #expect(shown.status == 0 && shown.stdout.hasPrefix("feature \(first):"), "\(shown.stdout)")
  }

  @Test func badRequestsGetClearErrors() throws {
    let unknown = try CLIProcess.run(["features", "--show", "99999999"])
    #expect(
      unknown.status != 0 && unknown.stderr.contains("no feature 99999999"), "\(unknown.stderr)")
    let both = try CLIProcess.run(["features", "text", "--search", "x"])
    #expect(both.status != 0 && both.stderr.contains("give one of"), "\(both.stderr)")
    let missing = try CLIProcess.run(["features", "x", "--dictionary", "/nonexistent"])
    #expect(missing.status != 0 && missing.stderr.contains("cannot read"), "\(missing.stderr)")
  }
}
