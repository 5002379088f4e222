import CLibWebSockets
import Foundation

/// One address the transport listens on, with the lws vhost options that keep it to that
/// address family.
struct ListenAddress: Equatable {
  /// The numeric address (nil: every interface).
  var interface: String?
  /// lws vhost options.
  var options: UInt64

  /// The addresses for a configured host: nil listens everywhere; "localhost" means the
  /// loopback addresses 127.0.0.1 and ::1; an IP literal is that address alone; another
  /// name is resolved (every address it has).
  /// - Throws: `TransportError.cannotResolve` when a name has no address.
  static func resolve(_ host: String?) throws -> [ListenAddress] {
    guard let host else { return [ListenAddress(interface: nil, options: 0)] }
    if host == "localhost" { return [ipv4("127.0.0.1"), ipv6("::1")] }
    if isIPv4(host) { return [ipv4(host)] }
    if isIPv6(host) { return [ipv6(host)] }
    let resolved = numericAddresses(of: host)
    guard !resolved.isEmpty else { throw TransportError.cannotResolve(host: host) }
    return resolved.map { isIPv4($0) ? ipv4($0) : ipv6($0) }
  }

  static func ipv4(_ address: String) -> ListenAddress {
    ListenAddress(interface: address, options: UInt64(LWS_SERVER_OPTION_DISABLE_IPV6))
  }

  static func ipv6(_ address: String) -> ListenAddress {
    ListenAddress(
      interface: address,
      options: UInt64(LWS_SERVER_OPTION_IPV6_V6ONLY_MODIFY)
        | UInt64(LWS_SERVER_OPTION_IPV6_V6ONLY_VALUE))
  }

  static func isIPv4(_ text: String) -> Bool {
    var address = in_addr()
    return inet_pton(AF_INET, text, &address) == 1
  }

  static func isIPv6(_ text: String) -> Bool {
    var address = in6_addr()
    return inet_pton(AF_INET6, text, &address) == 1
  }

  /// Every distinct numeric address of a host name.
  private static func numericAddresses(of host: String) -> [String] {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
    defer { freeaddrinfo(list) }
    var addresses: [String] = []
    var cursor = list
    while let entry = cursor {
      var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
      if getnameinfo(
        entry.pointee.ai_addr, entry.pointee.ai_addrlen, &name, socklen_t(name.count), nil, 0,
        NI_NUMERICHOST) == 0
      {
        let text = String(
          decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if !addresses.contains(text) { addresses.append(text) }
      }
      cursor = entry.pointee.ai_next
    }
    return addresses
  }
}
