// Merkle tree: every vector of ../shared/testdata/merkle (transparency-dev),
// plus generation checked against a naive recursive implementation of RFC 9162.
#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "core/encoding.h"
#include "core/file.h"
#include "core/json.h"
#include "testing/testing.h"

namespace rampart::ledger {
namespace {

namespace fs = std::filesystem;

// ../shared beside the repository; a git worktree sits one level deeper.
fs::path VectorsDir() {
  fs::path src = fs::absolute(testing::SourceDir());
  for (const fs::path& base : {src.parent_path(), src.parent_path().parent_path()}) {
    if (fs::is_directory(base / "shared/testdata/merkle")) return base / "shared/testdata/merkle";
  }
  return src.parent_path() / "shared/testdata/merkle";
}

std::vector<std::uint8_t> B64(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  auto d = Base64Decode(it->value().get_string());
  return d ? *d : std::vector<std::uint8_t>{};
}

std::vector<std::vector<std::uint8_t>> ProofOf(const json::object& o) {
  std::vector<std::vector<std::uint8_t>> out;
  auto it = o.find("proof");
  if (it == o.end() || !it->value().is_array()) return out;
  for (const auto& v : it->value().get_array()) {
    auto d = Base64Decode(v.get_string());
    out.push_back(d ? *d : std::vector<std::uint8_t>{});
  }
  return out;
}

std::uint64_t U64(const json::object& o, std::string_view key) {
  const auto& v = o.at(key);
  return v.is_uint64() ? v.get_uint64() : static_cast<std::uint64_t>(v.get_int64());
}

std::vector<HashView> ViewsOf(const std::vector<std::vector<std::uint8_t>>& p) {
  std::vector<HashView> v;
  for (const auto& h : p) v.emplace_back(h.data(), h.size());
  return v;
}

struct Counts {
  int total = 0;
  int negative = 0;
};

template <typename Fn>
Counts RunVectors(const std::string& kind, Fn check) {
  Counts c;
  fs::path dir = VectorsDir() / kind;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().extension() != ".json") continue;
    auto text = ReadFile(e.path());
    EXPECT_TRUE(text.has_value()) << e.path();
    if (!text) continue;
    auto v = ParseJson(*text);
    EXPECT_TRUE(v.has_value()) << e.path();
    if (!v) continue;
    const json::object& o = v->get_object();
    bool want_err = o.at("wantErr").as_bool();
    Status st = check(o);
    EXPECT_EQ(!st.ok(), want_err) << e.path() << ": " << st.ToString();
    ++c.total;
    if (want_err) ++c.negative;
  }
  return c;
}

class MerkleVectorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RAMPART_NEEDS(fs::is_directory(VectorsDir()),
                  "the Merkle reference vectors of ../shared (looked for " << VectorsDir() << ")");
  }
};

TEST_F(MerkleVectorsTest, Inclusion) {
  Counts c = RunVectors("inclusion", [](const json::object& o) {
    auto leaf = B64(o, "leafHash");
    auto root = B64(o, "root");
    auto proof = ProofOf(o);
    auto views = ViewsOf(proof);
    return VerifyInclusion(U64(o, "leafIdx"), U64(o, "treeSize"), leaf, views, root);
  });
  EXPECT_GT(c.total, 90);
  EXPECT_GT(c.negative, 50);
}

TEST_F(MerkleVectorsTest, Consistency) {
  Counts c = RunVectors("consistency", [](const json::object& o) {
    auto r1 = B64(o, "root1");
    auto r2 = B64(o, "root2");
    auto proof = ProofOf(o);
    auto views = ViewsOf(proof);
    return VerifyConsistency(U64(o, "size1"), U64(o, "size2"), views, r1, r2);
  });
  EXPECT_GT(c.total, 80);
  EXPECT_GT(c.negative, 50);
}

TEST_F(MerkleVectorsTest, SubtreeInclusion) {
  Counts c = RunVectors("subtreeinclusion", [](const json::object& o) {
    auto leaf = B64(o, "leafHash");
    auto root = B64(o, "root");
    auto proof = ProofOf(o);
    auto views = ViewsOf(proof);
    return VerifySubtreeInclusion(U64(o, "leafIdx"), U64(o, "start"), U64(o, "end"), leaf, views,
                                  root);
  });
  EXPECT_GT(c.total, 50);
}

TEST_F(MerkleVectorsTest, SubtreeConsistency) {
  Counts c = RunVectors("subtreeconsistency", [](const json::object& o) {
    auto r1 = B64(o, "root1");
    auto r2 = B64(o, "root2");
    auto proof = ProofOf(o);
    auto views = ViewsOf(proof);
    return VerifySubtreeConsistency(U64(o, "start"), U64(o, "end"), U64(o, "size"), views, r1, r2);
  });
  EXPECT_GT(c.total, 50);
}

// ---- Generation ----------------------------------------------------------------

// RFC 9162 MTH, straight from the definition.
Hash NaiveRoot(const std::vector<Hash>& leaves, std::size_t lo, std::size_t hi) {
  if (hi == lo) return EmptyRoot();
  if (hi - lo == 1) return leaves[lo];
  std::size_t k = 1;
  while (k * 2 < hi - lo) k *= 2;
  return NodeHash(NaiveRoot(leaves, lo, lo + k), NaiveRoot(leaves, lo + k, hi));
}

// An in-memory node store built with CompactRange, like the ledger's.
struct MemTree {
  std::vector<Hash> leaves;
  std::map<std::pair<int, std::uint64_t>, Hash> nodes;
  CompactRange range;

  void Add(const Hash& leaf) {
    std::uint64_t i = range.size();
    std::vector<Hash> completed;
    range.Append(leaf, &completed);
    leaves.push_back(leaf);
    nodes[{0, i}] = leaf;
    for (std::size_t l = 0; l < completed.size(); ++l) {
      nodes[{static_cast<int>(l + 1), i >> (l + 1)}] = completed[l];
    }
  }
  NodeReader Reader() {
    return [this](std::span<const NodeId> ids) -> Result<std::vector<Hash>> {
      std::vector<Hash> out;
      for (const NodeId& id : ids) {
        auto it = nodes.find({id.level, id.index});
        if (it == nodes.end()) return NotFoundError("node");
        out.push_back(it->second);
      }
      return out;
    };
  }
};

TEST(MerkleTest, EmptyAndSingleLeaf) {
  EXPECT_EQ(HexEncode(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // RFC 6962 test vector: the leaf hash of the empty entry.
  EXPECT_EQ(HexEncode(LeafHash(std::string_view(""))),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  // SHA-256(0x00 || entry), computed independently (Python hashlib), for a
  // short entry and for one of 76,800 bytes (many blocks, like an entry of
  // the gateway's access summaries).
  EXPECT_EQ(HexEncode(LeafHash(std::string_view("hello"))),
            "8a2a5c9b768827de5a9552c38a044c66959c68f6d2f21b5260af54d2f87db827");
  std::string big;
  for (int r = 0; r < 300; ++r) {
    for (int b = 0; b < 256; ++b) big += static_cast<char>(b);
  }
  EXPECT_EQ(HexEncode(LeafHash(big)),
            "8e57c9f2022b1ac9fb97d06c995bb905598b8d46563707bfb0d42a186dabb546");
}

TEST(MerkleTest, GeneratedProofsVerifyAndMatchTheNaiveRoot) {
  MemTree t;
  for (int i = 0; i < 70; ++i) t.Add(LeafHash(std::to_string(i)));
  for (std::uint64_t size = 1; size <= 70; ++size) {
    Hash root = NaiveRoot(t.leaves, 0, size);
    auto r = RootAt(size, t.Reader());
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, root) << size;
    for (std::uint64_t i = 0; i < size; ++i) {
      auto p = InclusionProof(i, size, t.Reader());
      ASSERT_TRUE(p.has_value()) << i << "/" << size;
      EXPECT_TRUE(VerifyInclusion(i, size, t.leaves[i], Views(*p), root).ok()) << i << "/" << size;
      // A proof for one leaf does not prove another.
      if (size > 1) {
        EXPECT_FALSE(VerifyInclusion(i, size, t.leaves[(i + 1) % size], Views(*p), root).ok());
      }
    }
    for (std::uint64_t from = 1; from <= size; ++from) {
      auto p = ConsistencyProof(from, size, t.Reader());
      ASSERT_TRUE(p.has_value());
      Hash old_root = NaiveRoot(t.leaves, 0, from);
      EXPECT_TRUE(VerifyConsistency(from, size, Views(*p), old_root, root).ok())
          << from << "->" << size;
      if (from < size) {
        Hash wrong = old_root;
        wrong[0] ^= 1;
        EXPECT_FALSE(VerifyConsistency(from, size, Views(*p), wrong, root).ok());
      }
    }
  }
  EXPECT_EQ(t.range.Root(), NaiveRoot(t.leaves, 0, 70));
}

TEST(MerkleTest, CompactRangeRoundTripsThroughStoredNodes) {
  MemTree t;
  for (int i = 0; i < 45; ++i) t.Add(LeafHash(std::to_string(i)));
  auto ids = RangeNodes(0, 45);
  auto nodes = t.Reader()(ids);
  ASSERT_TRUE(nodes.has_value());
  auto r = CompactRange::FromNodes(45, *nodes);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->Root(), t.range.Root());
  EXPECT_FALSE(CompactRange::FromNodes(45, {}).has_value());
}

TEST(MerkleTest, RejectsShortHashesAndProofsFromZero) {
  Hash h = LeafHash(std::string_view("a"));
  std::vector<std::uint8_t> short_hash(31, 0);
  EXPECT_FALSE(VerifyInclusion(0, 1, short_hash, {}, h).ok());
  EXPECT_FALSE(VerifyInclusion(0, 1, h, {}, short_hash).ok());
  EXPECT_TRUE(VerifyInclusion(0, 1, h, {}, h).ok());
  EXPECT_FALSE(VerifyConsistency(0, 1, {}, EmptyRoot(), h).ok());
  EXPECT_FALSE(VerifyConsistency(0, 0, {}, EmptyRoot(), EmptyRoot()).ok());
}

}  // namespace
}  // namespace rampart::ledger
