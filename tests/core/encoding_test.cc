#include "core/encoding.h"

#include <gtest/gtest.h>

namespace rampart {
namespace {

std::string Str(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

// RFC 4648 §10 test vectors.
TEST(EncodingTest, Base64Rfc4648Vectors) {
  const std::pair<const char*, const char*> kVectors[] = {{"", ""},
                                                          {"f", "Zg=="},
                                                          {"fo", "Zm8="},
                                                          {"foo", "Zm9v"},
                                                          {"foob", "Zm9vYg=="},
                                                          {"fooba", "Zm9vYmE="},
                                                          {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : kVectors) {
    EXPECT_EQ(Base64Encode(std::string_view(plain)), enc);
    auto d = Base64Decode(enc);
    ASSERT_TRUE(d.has_value()) << enc;
    EXPECT_EQ(Str(*d), plain);
  }
}

TEST(EncodingTest, Base64RejectsBadInput) {
  EXPECT_FALSE(Base64Decode("Zm9").has_value());       // length
  EXPECT_FALSE(Base64Decode("Zm9v!A==").has_value());  // alphabet
  EXPECT_FALSE(Base64Decode("Zh==").has_value());      // non-canonical trailing bits
  EXPECT_FALSE(Base64Decode("Z===").has_value());
  EXPECT_FALSE(Base64Decode("Zm=v").has_value());
}

TEST(EncodingTest, Base64Url) {
  std::vector<std::uint8_t> bytes = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64Encode(bytes), "+/+/");
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(Base64UrlEncode(std::string_view("f")), "Zg");
  EXPECT_EQ(Str(*Base64UrlDecode("Zg")), "f");
  EXPECT_EQ(Str(*Base64UrlDecode("Zg==")), "f");
  EXPECT_EQ(*Base64UrlDecode("-_-_"), bytes);
  EXPECT_FALSE(Base64UrlDecode("+/+/").has_value());
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());
}

TEST(EncodingTest, Hex) {
  EXPECT_EQ(HexEncode(std::string_view("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(*HexDecode("00FF10"), (std::vector<std::uint8_t>{0, 255, 16}));
  auto bad = HexDecode("0g");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("offset 1"), std::string::npos);
  EXPECT_FALSE(HexDecode("abc").has_value());
}

}  // namespace
}  // namespace rampart
