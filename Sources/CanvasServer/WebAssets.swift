import Foundation

/// The browser canvas: plain ES modules, CSS and HTML shipped in the server target
/// (Sources/CanvasServer/Web), served at `/` and `/app/{file}` from the same origin.
enum WebAssets {
  static let folder: URL? = Bundle.module.url(forResource: "Web", withExtension: nil)

  /// The response for a GET of `parts` (the path split on "/"), or nil if not an asset.
  static func response(_ parts: [String]) -> HTTPResponse? {
    let name: String
    switch parts.count {
    case 0: name = "index.html"
    case 2 where parts[0] == "app": name = parts[1]
    default: return nil
    }
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
    guard !name.hasPrefix("."), name.unicodeScalars.allSatisfy(allowed.contains), let folder,
      let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path)
    else { return nil }
    let type: String
    switch (name as NSString).pathExtension {
    case "html": type = "text/html; charset=utf-8"
    case "js": type = "text/javascript; charset=utf-8"
    case "css": type = "text/css; charset=utf-8"
    case "png": type = "image/png"
    default: type = "application/octet-stream"
    }
    return HTTPResponse(status: 200, contentType: type, body: data)
  }
}
