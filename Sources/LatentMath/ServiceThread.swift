import Foundation

/// The libwebsockets service thread, as far as slow code needs to know: it must only move
/// bytes. The transport marks it at start; in debug builds the store and the encoder
/// assert at their entry points that they are not called from it.
public enum ServiceThread {
  private static let key = "latitude.service-thread"

  /// Marks the calling thread as the service thread (for its life).
  public static func markCurrent() {
    Thread.current.threadDictionary[key] = true
  }

  /// True on the thread marked by `markCurrent`.
  public static var isCurrent: Bool {
    Thread.current.threadDictionary[key] as? Bool == true
  }

  /// In debug builds, stops with a message when called on the service thread; `what`
  /// names the slow work (a store read, an encode). Free in release builds.
  @inlinable
  public static func assertNotCurrent(
    _ what: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
  ) {
    assert(
      !isCurrent, "\(what()) on the libwebsockets service thread, which must only move bytes",
      file: file, line: line)
  }
}
