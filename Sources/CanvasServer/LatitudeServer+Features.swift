import Canvas
import Foundation
import Latent

/// REST routes of the feature dictionary:
/// - `GET /v1/features?q=word&limit=20`: live features whose label or top sentences mention
///   every word (without `q`: the densest live features);
/// - `GET /v1/features/{id}`: one feature with its top train sentences;
/// - `GET /v1/docs/{doc}/nodes/{node}/features?limit=10`: a node's active features at the
///   document's head, with the document's names for them where someone renamed one.
/// - `GET /v1/docs/{doc}/features/{id}`: one feature's activation on every live node at the
///   document's head (what colours a map by a feature).
extension LatitudeServer {
  /// The feature routes' answer, or nil when the request is not one of them.
  func featureRoute(_ request: HTTPRequest, route: [String], doc: DocumentID) throws
    -> HTTPResponse?
  {
    guard request.method == "GET" else { return nil }
    switch route.count {
    case 2 where route == ["v1", "features"]:
      let dictionary = try requireFeatures()
      let limit = boundedLimit(request.parameters["limit"], default: 20, most: 200)
      let query = request.parameters["q"] ?? ""
      let found =
        query.isEmpty
        ? Array(
          dictionary.catalog.items.filter(\.isLive).sorted { $0.density > $1.density }
            .prefix(limit))
        : dictionary.catalog.search(query, limit: limit)
      return .json(
        200,
        encoding: FeatureBodies.Search(
          dictionary: dictionary.name, query: query, live: dictionary.catalog.live,
          features: found.map(FeatureBodies.Summary.init)))
    case 3 where route[0] == "v1" && route[1] == "features":
      let dictionary = try requireFeatures()
      let info: FeatureInfo
      switch try liveFeature(route[2], in: dictionary, route: "GET /v1/features/{id}") {
      case .success(let found): info = found
      case .failure(let missing): return missing.response
      }
      return .json(200, encoding: FeatureBodies.Detail(info, dictionary: dictionary.name))
    case 6
    where route[0...2] == ["v1", "docs", "*"] && route[3] == "nodes"
      && route[5] == "features":
      let dictionary = try requireFeatures()
      let state = try store.state(doc, atSeq: try store.requireDocument(doc).headSeq)
      let limit = boundedLimit(
        request.parameters["limit"], default: 10, most: dictionary.autoencoder.k)
      return .json(
        200,
        encoding: try FeatureBodies.NodeFeatures(
          NodeID(route[4]), in: state, dictionary: dictionary, limit: limit))
    case 5 where route[0...2] == ["v1", "docs", "*"] && route[3] == "features":
      let dictionary = try requireFeatures()
      let info: FeatureInfo
      switch try liveFeature(route[4], in: dictionary, route: "GET /v1/docs/{doc}/features/{id}") {
      case .success(let found): info = found
      case .failure(let missing): return missing.response
      }
      let state = try store.state(doc, atSeq: try store.requireDocument(doc).headSeq)
      return .json(
        200,
        encoding: try FeatureBodies.Activations(info, in: state, doc: doc, dictionary: dictionary))
    default:
      return nil
    }
  }

  /// A 404 answer for a feature id that is not live.
  struct MissingFeature: Error {
    var response: HTTPResponse
  }

  /// The live feature a route names; a non-integer id is malformed (400), an unknown or
  /// dead one a 404 answer.
  private func liveFeature(_ text: String, in dictionary: FeatureDictionary, route: String)
    throws(ProtocolError) -> Result<FeatureInfo, MissingFeature>
  {
    guard let id = Int(text) else { throw .malformed("feature ids are integers: \(route)") }
    guard let info = dictionary.catalog.info(id), info.isLive else {
      return .failure(
        MissingFeature(
          response: .failure(404, "unknown_feature", "no live feature \(id) in \(dictionary.name)"))
      )
    }
    return .success(info)
  }

  private func requireFeatures() throws(ProtocolError) -> FeatureDictionary {
    guard let features else {
      throw .unavailable("this server runs without a feature dictionary (serve --features)")
    }
    return features
  }

  private func boundedLimit(_ text: String?, default value: Int, most: Int) -> Int {
    min(max(text.flatMap { Int($0) } ?? value, 1), most)
  }
}

/// JSON bodies of the feature routes.
enum FeatureBodies {
  struct Summary: Encodable {
    var id: Int
    var label: String
    var words: [String]
    var density: Double
    var median: Float?

    init(_ info: FeatureInfo) {
      id = info.id
      label = info.label
      words = info.words
      density = info.density
      median = info.activation?.median
    }
  }

  struct Search: Encodable {
    var dictionary: String
    var query: String
    var live: Int
    var features: [Summary]
  }

  struct Detail: Encodable {
    var id: Int
    var dictionary: String
    var label: String
    var words: [String]
    var density: Double
    var activation: FeatureInfo.Activation?
    var examples: [FeatureInfo.Example]

    init(_ info: FeatureInfo, dictionary: String) {
      id = info.id
      self.dictionary = dictionary
      label = info.label
      words = info.words
      density = info.density
      activation = info.activation
      examples = info.examples
    }
  }

  struct Reading: Encodable, Sendable {
    var id: Int
    var label: String
    var name: String?
    var activation: Float
    var relative: Float
  }

  struct NodeFeatures: Encodable, Sendable {
    var node: String
    var dictionary: String
    var features: [Reading]
  }
}

extension FeatureBodies {
  /// One feature's activation on every live node of a document.
  struct Activations: Encodable, Sendable {
    struct Entry: Encodable, Sendable {
      var node: String
      var activation: Float
      /// The activation ÷ the feature's median active value (0 when it does not fire).
      var relative: Float
    }

    var doc: String
    var feature: Int
    var dictionary: String
    var label: String
    var name: String?
    var median: Float?
    var nodes: [Entry]

    /// Nodes are encoded 256 at a time, so a large document never needs one pre-activation
    /// matrix of nodes × features.
    static let batch = 256

    init(
      _ info: FeatureInfo, in state: DocumentState, doc: DocumentID, dictionary: FeatureDictionary
    ) throws(ProtocolError) {
      self.doc = doc.rawValue
      feature = info.id
      self.dictionary = dictionary.name
      label = info.label
      name = state.featureName(info.id, in: dictionary.name)
      median = info.activation?.median
      let scale = median.flatMap { $0 > 0 ? 1 / $0 : nil } ?? 1
      let live = state.nodes
      var entries: [Entry] = []
      entries.reserveCapacity(live.count)
      var start = 0
      while start < live.count {
        let chunk = live[start..<min(start + Self.batch, live.count)]
        let codes: [SparseCode]
        do {
          codes = try dictionary.autoencoder.encode(chunk.map { $0.latent.floats })
        } catch {
          throw .internalError("\(error)")
        }
        for (node, code) in zip(chunk, codes) {
          let activation = code.activation(of: info.id)
          entries.append(
            Entry(node: node.id.rawValue, activation: activation, relative: activation * scale))
        }
        start += Self.batch
      }
      nodes = entries
    }
  }
}

extension FeatureBodies.NodeFeatures {
  /// A live node's strongest features (at most `limit`), with `state`'s names for them.
  init(
    _ node: NodeID, in state: DocumentState, dictionary: FeatureDictionary, limit: Int
  ) throws(ProtocolError) {
    guard let live = state.node(node) else { throw .unknownNode(node) }
    let readings: [FeatureDictionary.Reading]
    do {
      readings = try dictionary.read(live.latent.floats, limit: limit)
    } catch {
      throw .internalError("\(error)")
    }
    self.node = node.rawValue
    self.dictionary = dictionary.name
    features = readings.map {
      FeatureBodies.Reading(
        id: $0.id, label: $0.label, name: state.featureName($0.id, in: dictionary.name),
        activation: $0.activation, relative: $0.relative)
    }
  }
}
