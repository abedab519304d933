// The Merkle tree of RFC 9162 §2.1 (the same hashing as RFC 6962): hashing,
// proof verification, and proof generation over stored subtree hashes.
//
//   leaf hash   SHA-256(0x00 || entry)
//   node hash   SHA-256(0x01 || left || right)
//   empty tree  SHA-256("")
//
// Verification takes hashes as byte spans on purpose: anything that is not
// exactly 32 bytes is rejected instead of being silently truncated or padded.
// Proof generation never reads the whole tree: a proof is assembled from the
// O(log n) perfect subtrees ("nodes") it needs, read through a NodeReader in
// one batch.
//
// Also implemented: subtree inclusion and consistency proofs as defined by
// the Merkle Tree Certificates draft (a subtree [start, end) of a log), whose
// verifiers generalise the RFC 9162 ones (start = 0).
//
// Thread-safety: every function here is pure and thread-safe. CompactRange
// is a value type, single-threaded.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "core/status.h"

namespace rampart::ledger {

inline constexpr std::size_t kHashSize = 32;
using Hash = std::array<std::uint8_t, kHashSize>;
using HashView = std::span<const std::uint8_t>;

Hash LeafHash(crypto::ByteView entry);
inline Hash LeafHash(std::string_view entry) { return LeafHash(crypto::AsBytes(entry)); }
Hash NodeHash(const Hash& left, const Hash& right);
Hash EmptyRoot();

// A perfect subtree: leaves [index << level, (index + 1) << level).
struct NodeId {
  std::uint8_t level = 0;
  std::uint64_t index = 0;
  friend bool operator==(const NodeId&, const NodeId&) = default;
};

// ---- Verification ------------------------------------------------------------

// OK when `proof` proves that the leaf `leaf_hash` is at `index` in the tree of
// `size` leaves with root `root`. Corruption when the hashes do not match,
// InvalidArgument when the proof is malformed (wrong length, index >= size,
// a hash that is not 32 bytes).
Status VerifyInclusion(std::uint64_t index, std::uint64_t size, HashView leaf_hash,
                       std::span<const HashView> proof, HashView root);

// OK when `proof` proves that the tree of `size1` leaves with `root1` is a
// prefix of the tree of `size2` leaves with `root2`. A proof from size 0 is
// rejected: every tree extends the empty tree, so it proves nothing.
Status VerifyConsistency(std::uint64_t size1, std::uint64_t size2, std::span<const HashView> proof,
                         HashView root1, HashView root2);

// [start, end) is a subtree of a log when start < end and start is a multiple
// of the smallest power of two >= end - start.
bool IsValidSubtree(std::uint64_t start, std::uint64_t end);

// Subtree inclusion: the leaf at `index` is in the subtree [start, end) whose
// hash is `subtree_hash`.
Status VerifySubtreeInclusion(std::uint64_t index, std::uint64_t start, std::uint64_t end,
                              HashView leaf_hash, std::span<const HashView> proof,
                              HashView subtree_hash);

// Subtree consistency: the subtree [start, end) with hash `subtree_hash` sits
// at those positions in the tree of `size` leaves with root `root`. An empty
// subtree (start == end <= size) is consistent with any tree, with an empty
// proof, when its hash is the empty-tree hash.
Status VerifySubtreeConsistency(std::uint64_t start, std::uint64_t end, std::uint64_t size,
                                std::span<const HashView> proof, HashView subtree_hash,
                                HashView root);

// Views over owned hashes, for the functions above.
std::vector<HashView> Views(const std::vector<Hash>& hashes);

// ---- Generation from stored nodes ---------------------------------------------

// Reads stored perfect-subtree hashes. REQUIRES: every requested node is
// complete in the tree being read (index + 1 << level <= size).
using NodeReader = std::function<Result<std::vector<Hash>>(std::span<const NodeId>)>;

// The perfect subtrees that make up [begin, end), left to right, where begin
// is a multiple of the largest power of two <= end - begin (the shape of
// every range an RFC 9162 proof needs).
std::vector<NodeId> RangeNodes(std::uint64_t begin, std::uint64_t end);

// RFC 9162 PATH(index, D[0:size]). REQUIRES: index < size.
Result<std::vector<Hash>> InclusionProof(std::uint64_t index, std::uint64_t size,
                                         const NodeReader& read);
// RFC 9162 PROOF(size1, D[0:size2]). REQUIRES: 0 < size1 <= size2.
Result<std::vector<Hash>> ConsistencyProof(std::uint64_t size1, std::uint64_t size2,
                                           const NodeReader& read);
// MTH(D[0:size]).
Result<Hash> RootAt(std::uint64_t size, const NodeReader& read);

// ---- Appending ------------------------------------------------------------------

// The right border of a tree: one hash per set bit of size(), the perfect
// subtrees that make up [0, size). Appending a leaf yields the nodes the leaf
// completes, which is what the store persists.
class CompactRange {
 public:
  CompactRange() = default;
  // From the stored perfect subtrees of [0, size), left to right
  // (RangeNodes(0, size)). InvalidArgument if the count does not match.
  static Result<CompactRange> FromNodes(std::uint64_t size, std::vector<Hash> nodes);

  std::uint64_t size() const { return size_; }
  // Appends a leaf; `completed` receives the nodes it completes at levels >= 1,
  // lowest first (node at level l is NodeId{l, size >> l} before the append).
  void Append(const Hash& leaf, std::vector<Hash>* completed);
  Hash Root() const;

 private:
  std::uint64_t size_ = 0;
  std::vector<Hash> border_;  // highest level first, one per set bit of size_
};

}  // namespace rampart::ledger
