#include "ledger/merkle.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

namespace rampart::ledger {
namespace {

Hash ToHash(const crypto::Sha256Digest& d) {
  Hash h;
  std::memcpy(h.data(), d.data(), kHashSize);
  return h;
}

Hash FromView(HashView v) {
  Hash h;
  std::memcpy(h.data(), v.data(), kHashSize);
  return h;
}

bool Equal(const Hash& a, HashView b) {
  return b.size() == kHashSize && std::memcmp(a.data(), b.data(), kHashSize) == 0;
}

Status CheckHashSizes(std::span<const HashView> proof) {
  for (std::size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != kHashSize) {
      return InvalidArgumentError("proof hash " + std::to_string(i) + " is " +
                                  std::to_string(proof[i].size()) + " bytes, want 32");
    }
  }
  return OkStatus();
}

Status CheckHashSize(HashView h, std::string_view what) {
  if (h.size() != kHashSize) {
    return InvalidArgumentError(std::string(what) + " is " + std::to_string(h.size()) +
                                " bytes, want 32");
  }
  return OkStatus();
}

// Largest power of two strictly less than n. REQUIRES: n >= 2.
std::uint64_t SplitPoint(std::uint64_t n) { return std::bit_floor(n - 1); }

// A proof element: the hash of the leaf range [begin, end).
struct Range {
  std::uint64_t begin;
  std::uint64_t end;
};

void PathRanges(std::uint64_t m, std::uint64_t lo, std::uint64_t hi, std::vector<Range>* out) {
  std::uint64_t n = hi - lo;
  if (n <= 1) return;
  std::uint64_t k = SplitPoint(n);
  if (m - lo < k) {
    PathRanges(m, lo, lo + k, out);
    out->push_back({lo + k, hi});
  } else {
    PathRanges(m, lo + k, hi, out);
    out->push_back({lo, lo + k});
  }
}

// RFC 9162 §2.1.4.1 SUBPROOF(m, D[lo:hi], b) with m relative to lo.
void SubproofRanges(std::uint64_t m, std::uint64_t lo, std::uint64_t hi, bool b,
                    std::vector<Range>* out) {
  std::uint64_t n = hi - lo;
  if (m == n) {
    if (!b) out->push_back({lo, hi});
    return;
  }
  std::uint64_t k = SplitPoint(n);
  if (m <= k) {
    SubproofRanges(m, lo, lo + k, b, out);
    out->push_back({lo + k, hi});
  } else {
    SubproofRanges(m - k, lo + k, hi, false, out);
    out->push_back({lo, lo + k});
  }
}

// Reads every node of every range in one batch and folds each range.
Result<std::vector<Hash>> HashRanges(const std::vector<Range>& ranges, const NodeReader& read) {
  std::vector<NodeId> ids;
  std::vector<std::size_t> counts;
  counts.reserve(ranges.size());
  for (const Range& r : ranges) {
    std::vector<NodeId> nodes = RangeNodes(r.begin, r.end);
    counts.push_back(nodes.size());
    ids.insert(ids.end(), nodes.begin(), nodes.end());
  }
  RAMPART_ASSIGN_OR_RETURN(std::vector<Hash> hashes, read(ids));
  if (hashes.size() != ids.size()) {
    return InternalError("node reader returned " + std::to_string(hashes.size()) + " hashes for " +
                         std::to_string(ids.size()) + " nodes");
  }
  std::vector<Hash> out;
  out.reserve(ranges.size());
  std::size_t pos = 0;
  for (std::size_t count : counts) {
    // MTH of a range whose left part is the largest perfect subtree: fold the
    // perfect subtrees from the right.
    Hash h = hashes[pos + count - 1];
    for (std::size_t i = count - 1; i-- > 0;) h = NodeHash(hashes[pos + i], h);
    out.push_back(h);
    pos += count;
  }
  return out;
}

}  // namespace

Hash LeafHash(crypto::ByteView entry) {
  static constexpr std::uint8_t kLeafPrefix = 0x00;
  return ToHash(crypto::Sha256(crypto::ByteView(&kLeafPrefix, 1), entry));
}

Hash NodeHash(const Hash& left, const Hash& right) {
  std::uint8_t buf[1 + 2 * kHashSize];
  buf[0] = 0x01;
  std::memcpy(buf + 1, left.data(), kHashSize);
  std::memcpy(buf + 1 + kHashSize, right.data(), kHashSize);
  return ToHash(crypto::Sha256(crypto::ByteView(buf, sizeof(buf))));
}

Hash EmptyRoot() {
  static const Hash kEmpty = ToHash(crypto::Sha256(crypto::ByteView()));
  return kEmpty;
}

std::vector<HashView> Views(const std::vector<Hash>& hashes) {
  std::vector<HashView> v;
  v.reserve(hashes.size());
  for (const Hash& h : hashes) v.emplace_back(h.data(), h.size());
  return v;
}

bool IsValidSubtree(std::uint64_t start, std::uint64_t end) {
  if (start >= end) return false;
  std::uint64_t width = end - start;
  if (width > (std::uint64_t{1} << 63)) return start == 0;  // bit_ceil would be 2^64
  return start % std::bit_ceil(width) == 0;
}

Status VerifySubtreeInclusion(std::uint64_t index, std::uint64_t start, std::uint64_t end,
                              HashView leaf_hash, std::span<const HashView> proof,
                              HashView subtree_hash) {
  RAMPART_RETURN_IF_ERROR(CheckHashSize(leaf_hash, "leaf hash"));
  RAMPART_RETURN_IF_ERROR(CheckHashSize(subtree_hash, "root hash"));
  RAMPART_RETURN_IF_ERROR(CheckHashSizes(proof));
  if (!IsValidSubtree(start, end)) {
    return InvalidArgumentError("[" + std::to_string(start) + ", " + std::to_string(end) +
                                ") is not a subtree");
  }
  if (index < start || index >= end) {
    return InvalidArgumentError("index " + std::to_string(index) + " is outside [" +
                                std::to_string(start) + ", " + std::to_string(end) + ")");
  }
  // RFC 9162 §2.1.3.2, shifted to the subtree.
  std::uint64_t fn = index - start;
  std::uint64_t sn = end - start - 1;
  Hash r = FromView(leaf_hash);
  for (HashView pv : proof) {
    if (sn == 0) return InvalidArgumentError("inclusion proof is too long");
    Hash p = FromView(pv);
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return InvalidArgumentError("inclusion proof is too short");
  if (!Equal(r, subtree_hash)) {
    return CorruptionError("inclusion proof does not lead to the root hash");
  }
  return OkStatus();
}

Status VerifyInclusion(std::uint64_t index, std::uint64_t size, HashView leaf_hash,
                       std::span<const HashView> proof, HashView root) {
  if (index >= size) {
    return InvalidArgumentError("index " + std::to_string(index) + " is not below tree size " +
                                std::to_string(size));
  }
  return VerifySubtreeInclusion(index, 0, size, leaf_hash, proof, root);
}

Status VerifySubtreeConsistency(std::uint64_t start, std::uint64_t end, std::uint64_t size,
                                std::span<const HashView> proof, HashView subtree_hash,
                                HashView root) {
  RAMPART_RETURN_IF_ERROR(CheckHashSizes(proof));
  if (start == 0 && end == size && size > 0) {
    // The subtree is the whole tree: nothing to prove but that the two hashes
    // are the same value (whatever their length; they are compared, not used).
    if (!proof.empty()) return InvalidArgumentError("proof between equal trees must be empty");
    if (subtree_hash.size() != root.size() ||
        !std::equal(subtree_hash.begin(), subtree_hash.end(), root.begin())) {
      return CorruptionError("root hashes of equal-size trees differ");
    }
    return OkStatus();
  }
  RAMPART_RETURN_IF_ERROR(CheckHashSize(subtree_hash, "subtree hash"));
  if (start == end) {
    // The empty subtree is part of every tree; nothing else is proved.
    if (end > size) return InvalidArgumentError("empty subtree lies beyond the tree");
    if (!proof.empty()) return InvalidArgumentError("proof for an empty subtree must be empty");
    if (!Equal(EmptyRoot(), subtree_hash)) {
      return CorruptionError("empty subtree hash is not the empty-tree hash");
    }
    return OkStatus();
  }
  RAMPART_RETURN_IF_ERROR(CheckHashSize(root, "root hash"));
  if (!IsValidSubtree(start, end)) {
    return InvalidArgumentError("[" + std::to_string(start) + ", " + std::to_string(end) +
                                ") is not a subtree");
  }
  if (end > size) {
    return InvalidArgumentError("subtree end " + std::to_string(end) + " is beyond tree size " +
                                std::to_string(size));
  }
  // RFC 9162 §2.1.4.2 generalised to a subtree that starts at `start`.
  std::uint64_t fn = start;
  std::uint64_t sn = end - 1;
  std::uint64_t tn = size - 1;
  auto shift = [&] {
    fn >>= 1;
    sn >>= 1;
    tn >>= 1;
  };
  if (sn == tn) {
    while (fn != sn) shift();
  } else {
    while (fn != sn && (sn & 1) != 0) shift();
  }
  Hash fr;
  Hash sr;
  std::span<const HashView> rest = proof;
  if (fn == sn) {
    fr = sr = FromView(subtree_hash);
  } else {
    if (proof.empty()) return InvalidArgumentError("consistency proof is empty");
    fr = sr = FromView(proof[0]);
    rest = proof.subspan(1);
  }
  for (HashView cv : rest) {
    if (tn == 0) return InvalidArgumentError("consistency proof is too long");
    Hash c = FromView(cv);
    if ((sn & 1) != 0 || sn == tn) {
      if (fn < sn) fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((sn & 1) == 0 && sn != 0) shift();
    } else {
      sr = NodeHash(sr, c);
    }
    shift();
  }
  if (tn != 0) return InvalidArgumentError("consistency proof is too short");
  if (!Equal(fr, subtree_hash)) {
    return CorruptionError("consistency proof does not lead to the old root hash");
  }
  if (!Equal(sr, root)) {
    return CorruptionError("consistency proof does not lead to the new root hash");
  }
  return OkStatus();
}

Status VerifyConsistency(std::uint64_t size1, std::uint64_t size2, std::span<const HashView> proof,
                         HashView root1, HashView root2) {
  if (size1 == 0) {
    return InvalidArgumentError("a consistency proof from the empty tree proves nothing");
  }
  if (size1 > size2) {
    return InvalidArgumentError("old size " + std::to_string(size1) + " is larger than new size " +
                                std::to_string(size2));
  }
  return VerifySubtreeConsistency(0, size1, size2, proof, root1, root2);
}

std::vector<NodeId> RangeNodes(std::uint64_t begin, std::uint64_t end) {
  std::vector<NodeId> out;
  while (begin < end) {
    int level = begin == 0 ? 63 : std::countr_zero(begin);
    while (level > 0 && (std::uint64_t{1} << level) > end - begin) --level;
    out.push_back({static_cast<std::uint8_t>(level), begin >> level});
    begin += std::uint64_t{1} << level;
  }
  return out;
}

Result<std::vector<Hash>> InclusionProof(std::uint64_t index, std::uint64_t size,
                                         const NodeReader& read) {
  if (index >= size) {
    return InvalidArgumentError("index " + std::to_string(index) + " is not below tree size " +
                                std::to_string(size));
  }
  std::vector<Range> ranges;
  PathRanges(index, 0, size, &ranges);
  return HashRanges(ranges, read);
}

Result<std::vector<Hash>> ConsistencyProof(std::uint64_t size1, std::uint64_t size2,
                                           const NodeReader& read) {
  if (size1 == 0 || size1 > size2) {
    return InvalidArgumentError("no consistency proof from size " + std::to_string(size1) +
                                " to size " + std::to_string(size2) + " (want 0 < from <= to)");
  }
  std::vector<Range> ranges;
  SubproofRanges(size1, 0, size2, true, &ranges);
  return HashRanges(ranges, read);
}

Result<Hash> RootAt(std::uint64_t size, const NodeReader& read) {
  if (size == 0) return EmptyRoot();
  RAMPART_ASSIGN_OR_RETURN(std::vector<Hash> h, HashRanges({{0, size}}, read));
  return h[0];
}

Result<CompactRange> CompactRange::FromNodes(std::uint64_t size, std::vector<Hash> nodes) {
  if (nodes.size() != static_cast<std::size_t>(std::popcount(size))) {
    return InvalidArgumentError("tree of size " + std::to_string(size) + " needs " +
                                std::to_string(std::popcount(size)) + " border hashes, got " +
                                std::to_string(nodes.size()));
  }
  CompactRange r;
  r.size_ = size;
  r.border_ = std::move(nodes);
  return r;
}

void CompactRange::Append(const Hash& leaf, std::vector<Hash>* completed) {
  Hash h = leaf;
  for (std::uint64_t s = size_; (s & 1) != 0; s >>= 1) {
    h = NodeHash(border_.back(), h);
    border_.pop_back();
    if (completed != nullptr) completed->push_back(h);
  }
  border_.push_back(h);
  ++size_;
}

Hash CompactRange::Root() const {
  if (border_.empty()) return EmptyRoot();
  Hash h = border_.back();
  for (std::size_t i = border_.size() - 1; i-- > 0;) h = NodeHash(border_[i], h);
  return h;
}

}  // namespace rampart::ledger
