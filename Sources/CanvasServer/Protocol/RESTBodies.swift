import Canvas
import CanvasStore
import Foundation

/// The request and response bodies of the REST API (docs/API.md), as types.
enum REST {
  /// `{"error": code, "message": ...}`, the body of every refusal.
  struct Failure: Encodable {
    var error: String
    var message: String
  }

  /// `GET /healthz`.
  struct Health: Encodable {
    var status = "ok"
    var rooms: Int
    var connections: Int
    /// This node's incarnation in the leases table (PostgreSQL clusters only).
    var node: String?
    /// Documents whose lease this node holds (PostgreSQL clusters only).
    var owns: [String]?
  }

  /// `POST /v1/docs`.
  struct CreateDocument: Decodable {
    var id: String
    var title: String?
  }

  /// One line of `GET /v1/docs/{id}/ops` (NDJSON).
  struct OpLine: Encodable {
    var seq: Int64
    var op: Op
    /// When it was committed (unix milliseconds), when known.
    var at: Int64?
  }

  /// `GET /v1/docs/{id}/state`: the rendered state and the seq it is at.
  struct State: Encodable {
    var view: DocumentStateView
    var seq: Int64

    private enum CodingKeys: String, CodingKey { case seq }

    func encode(to encoder: any Encoder) throws {
      try view.encode(to: encoder)
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(seq, forKey: .seq)
    }
  }

  /// `GET /v1/docs/{id}/projections`.
  struct Projections: Encodable {
    struct AxisName: Encodable {
      var id: AxisID
      var name: String
    }
    struct Node: Encodable {
      var id: NodeID
      var coords: NodeCoordinates
      var text: String?
    }
    var seq: Int64
    var axes: [AxisName]
    var nodes: [Node]
  }

  /// `GET /v1/axes`.
  struct PackAxes: Encodable {
    struct Entry: Encodable {
      var id: String
      var name: String
      var pack: String
      var version: String
      var poles: AxisPoles
      var source: String?
    }
    var axes: [Entry]
  }

  /// `POST /v1/encode`.
  struct EncodeRequest: Decodable {
    var texts: [String]
    var doc: String?
  }

  /// The answer to `POST /v1/encode`.
  struct Encoded: Encodable {
    struct Result: Encodable {
      var latent: String
      var coords: [String: Double]?
    }
    var model: String
    var results: [Result]
  }
}

extension HTTPResponse {
  /// A JSON response with an Encodable body.
  static func json(_ status: Int, encoding body: some Encodable) -> HTTPResponse {
    .json(status, ServerMessage.encode(body) ?? Data("{}".utf8))
  }

  /// A JSON refusal `{"error": code, "message": ...}`.
  static func failure(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
    .json(status, encoding: REST.Failure(error: code, message: message))
  }
}
