import Canvas

/// Checks params against the subset of JSON Schema that plugin schemas use: type
/// (object, array, number, integer, string, boolean), properties, required,
/// additionalProperties (false or a schema), items, minimum, maximum, minItems, maxItems.
/// Keywords outside the subset are ignored.
public enum ParamsValidator {
  /// nil when `value` fits `schema`, else a message naming the first problem.
  public static func problem(_ value: JSONValue, _ schema: JSONValue, at path: String = "params")
    -> String?
  {
    guard case .object(let rules) = schema else { return nil }
    if case .string(let type)? = rules["type"], !matches(value, type) {
      return
        "\(path) must be \(type == "integer" ? "an integer" : "a\(type.first.map { "aeiou".contains($0) } == true ? "n" : "") \(type)")"
    }
    switch value {
    case .number(let number):
      if case .number(let minimum)? = rules["minimum"], number < minimum {
        return "\(path) must be at least \(minimum)"
      }
      if case .number(let maximum)? = rules["maximum"], number > maximum {
        return "\(path) must be at most \(maximum)"
      }
    case .array(let items):
      if case .number(let least)? = rules["minItems"], Double(items.count) < least {
        return "\(path) needs at least \(Int(least)) items"
      }
      if case .number(let most)? = rules["maxItems"], Double(items.count) > most {
        return "\(path) takes at most \(Int(most)) items"
      }
      if let itemSchema = rules["items"] {
        for (index, item) in items.enumerated() {
          if let problem = problem(item, itemSchema, at: "\(path)[\(index)]") { return problem }
        }
      }
    case .object(let members):
      if case .array(let required)? = rules["required"] {
        for case .string(let key) in required where members[key] == nil {
          return "\(path).\(key) is required"
        }
      }
      let properties: [String: JSONValue]
      if case .object(let declared)? = rules["properties"] {
        properties = declared
      } else {
        properties = [:]
      }
      for (key, member) in members.sorted(by: { $0.key < $1.key }) {
        if let propertySchema = properties[key] {
          if let problem = problem(member, propertySchema, at: "\(path).\(key)") { return problem }
        } else if let additional = rules["additionalProperties"] {
          if case .bool(false) = additional { return "\(path).\(key) is not a known parameter" }
          if let problem = problem(member, additional, at: "\(path).\(key)") { return problem }
        }
      }
    default:
      break
    }
    return nil
  }

  static func matches(_ value: JSONValue, _ type: String) -> Bool {
    switch (value, type) {
    case (.object, "object"), (.array, "array"), (.string, "string"), (.bool, "boolean"),
      (.number, "number"), (.null, "null"):
      true
    case (.number(let number), "integer"): number.rounded() == number
    default: false
    }
  }
}
