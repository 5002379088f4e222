import Foundation

/// Hands freed heap memory back to the system after a large read (a long history, a big
/// snapshot): glibc keeps freed arenas otherwise, and the process stays at its peak.
enum MemoryReturn {
  /// Bytes a read must have produced to be worth a trim.
  static let threshold = 4 << 20

  /// glibc's `malloc_trim`, looked up once (Swift's Glibc module does not export it).
  private static let trim: (@convention(c) (Int) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else {
      return nil
    }
    return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
  }()

  static func afterLargeRead(bytes: Int) {
    if bytes >= threshold, let trim { _ = trim(0) }
  }
}
