import CanvasStore
import Testing

@Suite struct StoreLocationTests {
  @Test func postgresURLsNamePostgresAndAnythingElseIsAFile() {
    #expect(StoreLocation("postgres://u@h/db") == .postgres("postgres://u@h/db"))
    #expect(StoreLocation("postgresql://u@h/db") == .postgres("postgresql://u@h/db"))
    #expect(StoreLocation("./data/postgres://x.sqlite") == .sqlite("./data/postgres://x.sqlite"))
    #expect(StoreLocation("data/latitude.sqlite") == .sqlite("data/latitude.sqlite"))
  }

  @Test func logsNeverShowAPassword() {
    #expect(
      StoreLocation("postgres://latitude:s3cret@db:5432/latitude").description
        == "postgres://latitude:***@db:5432/latitude")
    #expect(
      StoreLocation("postgresql://db/latitude?user=l&password=s3cret&sslmode=require").description
        == "postgresql://db/latitude?user=l&password=***&sslmode=require")
    #expect(
      StoreLocation("postgres://latitude@db/latitude").description
        == "postgres://latitude@db/latitude")
  }
}
