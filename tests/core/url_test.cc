#include "core/url.h"

#include <gtest/gtest.h>

namespace rampart {
namespace {

TEST(RedactUrlTest, HidesPasswordsInUserinfo) {
  EXPECT_EQ(RedactUrl("postgres://rampart:s3cret@db.internal:5432/ledger"),
            "postgres://rampart:REDACTED@db.internal:5432/ledger");
  // A password containing '@' and ':' is hidden whole.
  EXPECT_EQ(RedactUrl("postgresql://u:p@ss:w@rd@db/x"), "postgresql://u:REDACTED@db/x");
  // An empty password still reads as one.
  EXPECT_EQ(RedactUrl("postgres://u:@db/x"), "postgres://u:REDACTED@db/x");
  // A user name alone is not a secret for PostgreSQL...
  EXPECT_EQ(RedactUrl("postgres://rampart@db/ledger"), "postgres://rampart@db/ledger");
  // ...but a lone redis userinfo is the password.
  EXPECT_EQ(RedactUrl("redis://hunter2@cache:6379/0"), "redis://REDACTED@cache:6379/0");
  EXPECT_EQ(RedactUrl("rediss://default:hunter2@cache:6380"),
            "rediss://default:REDACTED@cache:6380");
}

TEST(RedactUrlTest, HidesSecretQueryParameters) {
  EXPECT_EQ(RedactUrl("postgres://db/ledger?sslmode=require&password=s3cret&schema=audit"),
            "postgres://db/ledger?sslmode=require&password=REDACTED&schema=audit");
  EXPECT_EQ(RedactUrl("postgres://db?PassWord=x&sslpassword=y"),
            "postgres://db?PassWord=REDACTED&sslpassword=REDACTED");
  EXPECT_EQ(RedactUrl("https://idp/jwks?access_token=abc&client_secret=def&passwd=g"),
            "https://idp/jwks?access_token=REDACTED&client_secret=REDACTED&passwd=REDACTED");
  // Both at once, and a query on a URL without a path.
  EXPECT_EQ(RedactUrl("postgres://u:p@db?password=q"),
            "postgres://u:REDACTED@db?password=REDACTED");
}

TEST(RedactUrlTest, LeavesOtherTextAlone) {
  EXPECT_EQ(RedactUrl("sqlite:./var/ledger.db"), "sqlite:./var/ledger.db");
  EXPECT_EQ(RedactUrl("sqlite:///abs/ledger.db"), "sqlite:///abs/ledger.db");
  EXPECT_EQ(RedactUrl("postgres://db.internal:5432/ledger?schema=audit"),
            "postgres://db.internal:5432/ledger?schema=audit");
  EXPECT_EQ(RedactUrl("https://[::1]:8443/keys"), "https://[::1]:8443/keys");
  EXPECT_EQ(RedactUrl(""), "");
  EXPECT_EQ(RedactUrl("not a url"), "not a url");
}

TEST(IsLoopbackHostTest, KnowsTheLoopbackNames) {
  for (const char* h : {"localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "::1", "[::1]"}) {
    EXPECT_TRUE(IsLoopbackHost(h)) << h;
  }
  for (const char* h : {"", "10.0.0.1", "128.0.0.1", "::2", "::ffff:10.0.0.1", "localhost.evil.ai",
                        "127.0.0.1.nip.io", "idp.acme.ai", "0.0.0.0"}) {
    EXPECT_FALSE(IsLoopbackHost(h)) << h;
  }
}

}  // namespace
}  // namespace rampart
