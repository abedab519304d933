// Sketches: the tensor reader on good and hostile bodies, the projection's
// distances, SimHash near-duplicates, network keys.
#include "monitor/sketch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "monitor/monitor.h"
#include "monitor/tensor.h"
#include "monitor/traffic.h"

namespace rampart::monitor {
namespace {

std::string Body(const std::vector<double>& x, const std::string& shape = "",
                 const std::string& dtype = "FP32") {
  std::string s = "{\"inputs\":[{\"name\":\"x\",\"shape\":" +
                  (shape.empty() ? "[1," + std::to_string(x.size()) + "]" : shape) +
                  ",\"datatype\":\"" + dtype + "\",\"data\":[";
  for (std::size_t i = 0; i < x.size(); ++i) s += (i ? "," : "") + std::to_string(x[i]);
  return s + "]}]}";
}

TEST(Tensor, SketchKeepsDistances) {
  Projector p(7);
  std::mt19937_64 r(1);
  std::normal_distribution<double> n(0, 1);
  std::vector<double> a(256), b(256);
  for (auto& v : a) v = n(r);
  for (auto& v : b) v = n(r);
  TensorSketch sa = SketchTensor(Body(a), p, 1 << 20);
  TensorSketch sb = SketchTensor(Body(b), p, 1 << 20);
  ASSERT_EQ(sa.issue, TensorIssue::kNone);
  ASSERT_EQ(sb.issue, TensorIssue::kNone);
  EXPECT_EQ(sa.elements, 256u);
  double true_d2 = 0;
  for (std::size_t i = 0; i < a.size(); ++i) true_d2 += (a[i] - b[i]) * (a[i] - b[i]);
  double d2 = SquaredDistance(sa.proj, sb.proj);
  EXPECT_GT(d2 / true_d2, 0.4);
  EXPECT_LT(d2 / true_d2, 1.8);
  // One element moved by 0.5 moves the sketch by exactly 0.5.
  std::vector<double> c = a;
  c[17] += 0.5;
  TensorSketch sc = SketchTensor(Body(c), p, 1 << 20);
  EXPECT_NEAR(std::sqrt(SquaredDistance(sa.proj, sc.proj)), 0.5, 1e-3);
  // Nested data and several inputs are one vector, element by element.
  std::string nested =
      "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,2],\"datatype\":\"INT32\",\"data\":[[1,2],[3,4]]},"
      "{\"name\":\"t\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"hi\"]},"
      "{\"name\":\"y\",\"shape\":[1],\"datatype\":\"BOOL\",\"data\":[true]}]}";
  TensorSketch sn = SketchTensor(nested, p, 1 << 20);
  ASSERT_EQ(sn.issue, TensorIssue::kNone);
  EXPECT_EQ(sn.elements, 5u);
  EXPECT_EQ(
      SquaredDistance(sn.proj, SketchTensor(Body({1, 2, 3, 4, 1}, "[5]", "FP64"), p, 1 << 20).proj),
      0.0f);
}

TEST(Tensor, HostileBodiesAreClassifiedNotSketched) {
  Projector p(7);
  auto issue = [&](const std::string& body, std::size_t max = 1000) {
    return SketchTensor(body, p, max).issue;
  };
  EXPECT_EQ(issue("not json"), TensorIssue::kInvalidJson);
  EXPECT_EQ(issue("[1,2,3]"), TensorIssue::kInvalidJson);
  EXPECT_EQ(issue("{\"inputs\":{}}"), TensorIssue::kInvalidJson);
  EXPECT_EQ(issue("{\"inputs\":[1]}"), TensorIssue::kInvalidJson);
  EXPECT_EQ(issue(Body({1, 2, 3}, "[1,4]")), TensorIssue::kShape);
  EXPECT_EQ(issue(Body({1, 2, 3}, "[-3]")), TensorIssue::kShape);
  EXPECT_EQ(issue(Body({1, 2, 3}, "\"3\"")), TensorIssue::kShape);
  EXPECT_EQ(issue(Body({1, 2, 3}, "[3]", "COMPLEX")), TensorIssue::kDatatype);
  EXPECT_EQ(issue("{\"inputs\":[{\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,\"a\"]}]}"),
            TensorIssue::kDatatype);
  EXPECT_EQ(issue("{\"inputs\":[{\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,null]}]}"),
            TensorIssue::kDatatype);
  EXPECT_EQ(issue("{\"inputs\":[{\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"x\"]}]}"),
            TensorIssue::kEmpty);
  // Enormous: a shape whose product overflows, more data than allowed, a
  // body larger than any tensor within the limit.
  EXPECT_EQ(issue(Body({1}, "[4294967296,4294967296,4294967296]")), TensorIssue::kOversized);
  EXPECT_EQ(issue(Body(std::vector<double>(2000, 1.0), "[2000]")), TensorIssue::kOversized);
  EXPECT_EQ(issue(Body(std::vector<double>(2000, 1.0), "[1]")), TensorIssue::kOversized);
  EXPECT_EQ(issue(std::string(200000, '['), 10), TensorIssue::kOversized);
  EXPECT_EQ(issue(std::string(5000, '[')), TensorIssue::kInvalidJson);
}

TEST(SimHash, TemplateVariantsAreNearRandomPromptsAreFar) {
  std::string a =
      "please write a short product description for the blue ceramic mug that "
      "highlights its durability and mention the price of twelve dollars today";
  std::string b =
      "please write a short product description for the red steel kettle that "
      "highlights its durability and mention the price of twelve dollars today";
  std::string c =
      "what were the main causes of the industrial revolution in england and how "
      "did they shape the labour movement during the following century";
  std::size_t wa = 0;
  std::uint64_t ha = SimHash(a, 1, 512, &wa), hb = SimHash(b, 1, 512, nullptr),
                hc = SimHash(c, 1, 512, nullptr);
  EXPECT_EQ(wa, 23u);
  EXPECT_LE(Hamming(ha, hb), 14);
  EXPECT_GT(Hamming(ha, hc), 14);
  // Case and punctuation do not matter; the seed does.
  EXPECT_EQ(SimHash("Hello, World!", 1, 512, nullptr), SimHash("hello world", 1, 512, nullptr));
  EXPECT_NE(SimHash("hello world", 1, 512, nullptr), SimHash("hello world", 2, 512, nullptr));
}

TEST(NetworkKey, PrefixesOfBothFamilies) {
  EXPECT_EQ(NetworkKey("10.1.2.3", 24, 64), "net:10.1.2.0/24");
  EXPECT_EQ(NetworkKey("10.1.2.3", 16, 64), "net:10.1.0.0/16");
  EXPECT_EQ(NetworkKey("2001:db8:1:2:3:4:5:6", 24, 64), "net:2001:db8:1:2::/64");
  EXPECT_EQ(NetworkKey("[2001:db8::1]", 24, 48), "net:2001:db8::/48");
  EXPECT_EQ(NetworkKey("not-an-ip", 24, 64), "");
  EXPECT_EQ(NetworkKey("", 24, 64), "");
}

}  // namespace
}  // namespace rampart::monitor

namespace rampart::monitor {
namespace {

// The single-pass reader against the DOM reference: the same issue, and
// the same sketch, on valid bodies and on mutated ones.
TEST(Tensor, ScannerAgreesWithTheReferenceReader) {
  Projector p(11);
  TrafficSim sim(5);
  auto c = sim.Client(SimKind::kBenignTensor, 1);
  std::vector<std::string> bodies = {
      c->Next(),
      Body({1, 2, 3, 4}, "[2,2]"),
      Body({1e300, -1e-300, 0, -0.0}, "[4]", "FP64"),
      "{\"inputs\":[{\"name\":\"a\",\"datatype\":\"INT32\",\"shape\":[2],\"data\":[1,2]},"
      "{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[1],\"data\":[\"x\"]},"
      "{\"data\":[[true,false],[3,4]],\"shape\":[2,2],\"datatype\":\"BOOL\"}],"
      "\"outputs\":[{\"name\":\"y\"}],\"id\":\"r\\u0041\\n\"}",
      "{\"inputs\":[{\"datatype\":\"FP32\",\"shape\":[-0],\"data\":[]}]}",
      "{\"inputs\":[{\"datatype\":\"FP32\",\"shape\":[1.0],\"data\":[1]}]}",
      "{\"inputs\":[{\"datatype\":\"FP32\",\"shape\":[18446744073709551616],\"data\":[1]}]}",
      "{\"inputs\":[{\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1e999]}]}",
      "{\"inputs\":[{\"datatype\":\"FP32\",\"shape\":[1],\"data\":1}]}",
      "{\"inputs\":[{\"datatype\":7,\"shape\":[1],\"data\":[1]}]}",
      "{\"inputs\":[{\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}, 5]}",
      "{\"inputs\":[5, {\"datatype\":\"COMPLEX\"}]}",
      "{\"inputs\":[{\"datatype\":\"COMPLEX\"}, 5]}",
      "{\"inputs\":[]}",
      " {\"inputs\" : [ { \"shape\" : [ 1 ] , \"datatype\" : \"UINT8\" , \"data\" : [ 7 ] } ] } ",
      "{\"inputs\":[{\"datatype\":\"FP32\",\"shape\":[1],\"data\":[" + std::string(33, '[') + "1" +
          std::string(33, ']') + "]}]}",
  };
  std::mt19937_64 rng(99);
  const std::string alphabet = "{}[],:\"0123456789.-eE \\tnulratfs";
  std::vector<std::string> mutated;
  for (int k = 0; k < 20000; ++k) {
    std::string b = bodies[rng() % bodies.size()];
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !b.empty(); ++e) {
      std::size_t at = rng() % b.size();
      switch (rng() % 3) {
        case 0:
          b.erase(at, 1);
          break;
        case 1:
          b.insert(b.begin() + static_cast<long>(at), alphabet[rng() % alphabet.size()]);
          break;
        default:
          b[at] = alphabet[rng() % alphabet.size()];
          break;
      }
    }
    mutated.push_back(std::move(b));
  }
  bodies.insert(bodies.end(), mutated.begin(), mutated.end());
  std::size_t sketched = 0, by_issue[kTensorIssueCount] = {};
  for (const std::string& b : bodies) {
    TensorSketch x = SketchTensor(b, p, 1000), y = SketchTensorReference(b, p, 1000);
    ASSERT_EQ(TensorIssueName(x.issue), TensorIssueName(y.issue)) << b;
    ++by_issue[static_cast<std::size_t>(x.issue)];
    if (x.issue != TensorIssue::kNone) continue;
    ++sketched;
    ASSERT_EQ(x.elements, y.elements) << b;
    for (std::size_t j = 0; j < kProjDims; ++j)
      ASSERT_NEAR(x.proj[j], y.proj[j], 1e-5 * (1 + std::abs(y.proj[j]))) << b;
  }
  // The mutations reach every outcome.
  EXPECT_GT(sketched, 500u);
  for (std::size_t i = 1; i < kTensorIssueCount; ++i)
    EXPECT_GT(by_issue[i], 0u) << TensorIssueName(static_cast<TensorIssue>(i));
}

}  // namespace
}  // namespace rampart::monitor
