#include "core/net.h"

#include <gtest/gtest.h>

namespace rampart {
namespace {

TEST(NetTest, ParsesAndFormats) {
  EXPECT_EQ(Cidr::Parse("10.20.0.0/16")->ToString(), "10.20.0.0/16");
  EXPECT_EQ(Cidr::Parse("10.20.0.7")->ToString(), "10.20.0.7/32");
  EXPECT_EQ(Cidr::Parse("fd00::/64")->ToString(), "fd00::/64");
  EXPECT_EQ(Cidr::Parse("0.0.0.0/0")->last().ToString(), "255.255.255.255");
  EXPECT_EQ(Cidr::Parse("10.20.0.0/16")->last().ToString(), "10.20.255.255");
  auto host_bits = Cidr::Parse("10.20.0.1/16");
  ASSERT_FALSE(host_bits.has_value());
  EXPECT_NE(host_bits.error().message().find("did you mean '10.20.0.0/16'"), std::string::npos);
  EXPECT_FALSE(Cidr::Parse("10.0.0.0/33").has_value());
  EXPECT_FALSE(Cidr::Parse("10.0.0/8").has_value());
  EXPECT_FALSE(Cidr::Parse("10.0.0.0/").has_value());
  EXPECT_FALSE(Cidr::Parse("fd00::/129").has_value());
}

TEST(NetTest, ContainsAndOverlaps) {
  Cidr a = *Cidr::Parse("10.0.0.0/8");
  Cidr b = *Cidr::Parse("10.20.0.0/16");
  Cidr c = *Cidr::Parse("172.16.0.0/12");
  Cidr v6 = *Cidr::Parse("::/0");
  EXPECT_TRUE(a.Contains(b));
  EXPECT_FALSE(b.Contains(a));
  EXPECT_TRUE(a.Overlaps(b));
  EXPECT_TRUE(b.Overlaps(a));
  EXPECT_FALSE(a.Overlaps(c));
  EXPECT_FALSE(v6.Overlaps(a));  // families never overlap
  EXPECT_TRUE(a.Contains(*IpAddress::Parse("10.255.255.255")));
  EXPECT_FALSE(a.Contains(*IpAddress::Parse("11.0.0.0")));
  EXPECT_TRUE(Cidr::Parse("0.0.0.0/0")->Contains(*IpAddress::Parse("1.2.3.4")));
}

}  // namespace
}  // namespace rampart
