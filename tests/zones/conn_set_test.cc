#include "zones/conn_set.h"

#include <gtest/gtest.h>

namespace rampart::zones {
namespace {

TEST(ConnSet, EmptyAndAllUseNpGuardWords) {
  EXPECT_EQ(ConnSet().ToString(), "No Connections");
  EXPECT_EQ(ConnSet::All().ToString(), "All Connections");
  EXPECT_TRUE(ConnSet().empty());
  EXPECT_TRUE(ConnSet::All().all());
}

TEST(ConnSet, ProtocolsAlphabeticalPortsMerged) {
  ConnSet c;
  c.Add(Protocol::kUdp, 53, 53);
  c.Add(Protocol::kTcp, 8080, 8080);
  c.Add(Protocol::kTcp, 80, 80);
  c.Add(Protocol::kTcp, 81, 90);
  c.Add(Protocol::kSctp, 9000, 9000);
  EXPECT_EQ(c.ToString(), "SCTP 9000,TCP 80-90,8080,UDP 53");
  EXPECT_EQ(ConnSet::AllOf(Protocol::kUdp).ToString(), "UDP 1-65535");
}

TEST(ConnSet, SetAlgebra) {
  ConnSet a = ConnSet::Ports(Protocol::kTcp, 100, 200);
  ConnSet b = ConnSet::Ports(Protocol::kTcp, 150, 250);
  EXPECT_EQ(a.Intersect(b).ToString(), "TCP 150-200");
  EXPECT_EQ(a.Union(b).ToString(), "TCP 100-250");
  EXPECT_EQ(a.Subtract(b).ToString(), "TCP 100-149");
  EXPECT_EQ(ConnSet::All().Subtract(ConnSet::AllOf(Protocol::kTcp)).ToString(),
            "SCTP 1-65535,UDP 1-65535");
  EXPECT_TRUE(a.Union(b).Covers(a));
  EXPECT_FALSE(a.Covers(b));
  EXPECT_TRUE(a.Contains(Protocol::kTcp, 100));
  EXPECT_FALSE(a.Contains(Protocol::kUdp, 100));
  EXPECT_FALSE(a.Contains(Protocol::kTcp, 201));
  EXPECT_EQ(ConnSet::AllOf(Protocol::kTcp)
                .Union(ConnSet::AllOf(Protocol::kUdp))
                .Union(ConnSet::AllOf(Protocol::kSctp)),
            ConnSet::All());
}

}  // namespace
}  // namespace rampart::zones
