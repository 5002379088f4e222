import Foundation
import Testing

@testable import CanvasServer

@Suite struct AccessTokenTests {
  let secret = "unit-test-secret-0123456789"
  let now = Date(timeIntervalSince1970: 1_800_000_000)

  @Test func roundTrip() throws {
    let token = AccessToken(doc: "d1", role: .viewer, exp: 1_800_000_600, sub: "ann")
    let verified = try AccessToken.verify(
      token.signed(secret: secret), secret: secret, document: "d1", now: now)
    #expect(verified == token)
    #expect(!verified.role.canWrite)
  }

  @Test func refusals() {
    let good = AccessToken(doc: "d1", role: .editor, exp: 1_800_000_600).signed(secret: secret)
    #expect(throws: AccessTokenError.badSignature) {
      try AccessToken.verify(good, secret: "another-secret-entirely", document: "d1", now: now)
    }
    #expect(throws: AccessTokenError.wrongDocument) {
      try AccessToken.verify(good, secret: secret, document: "d2", now: now)
    }
    #expect(throws: AccessTokenError.expired) {
      try AccessToken.verify(good, secret: secret, document: "d1", now: now.addingTimeInterval(601))
    }
    for garbage in ["", "abc", "a.b.c", good + "x"] {
      #expect(throws: AccessTokenError.self) {
        try AccessToken.verify(garbage, secret: secret, document: "d1", now: now)
      }
    }
    // A token whose claims were edited no longer matches its signature.
    let parts = good.split(separator: ".")
    let forged =
      AccessToken.base64URL(Data(#"{"doc":"d1","exp":1800000600,"role":"owner"}"#.utf8)) + "."
      + parts[1]
    #expect(throws: AccessTokenError.badSignature) {
      try AccessToken.verify(forged, secret: secret, document: "d1", now: now)
    }
  }

  @Test func wildcardDocument() throws {
    let token = AccessToken(doc: "*", role: .owner, exp: 1_800_000_600).signed(secret: secret)
    #expect(
      try AccessToken.verify(token, secret: secret, document: "anything", now: now).role == .owner)
  }
}

@Suite struct TokenBucketTests {
  @Test func refillsAtTheRateUpToTheBurst() {
    let start = ContinuousClock.now
    var bucket = TokenBucket(rate: 10, burst: 3, now: start)
    #expect(bucket.take(now: start) == nil)
    #expect(bucket.take(now: start) == nil)
    #expect(bucket.take(now: start) == nil)
    let wait = bucket.take(now: start)
    #expect(wait == .milliseconds(100))
    #expect(bucket.take(now: start + .milliseconds(100)) == nil)
    // A long idle period refills only up to the burst.
    let later = start + .seconds(60)
    for _ in 0..<3 { #expect(bucket.take(now: later) == nil) }
    #expect(bucket.take(now: later) != nil)
  }
}
