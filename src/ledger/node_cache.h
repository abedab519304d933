// A read-through cache of the upper levels of the tree.
//
// Stored nodes never change, so the hashes at level >= `min_level` (one per
// 2^min_level leaves: 40,000 for 10M entries at level 8) are kept in memory
// once read. A proof then reads only its lowest `min_level` siblings from the
// store, which lie next to the leaf. Bounded: past `max_nodes` new nodes are
// read through without being kept. Tampering is still caught: `verify` reads
// every row from the store, never from this cache.
//
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <shared_mutex>
#include <unordered_map>

#include "ledger/merkle.h"
#include "ledger/store.h"

namespace rampart::ledger {

class NodeCache {
 public:
  explicit NodeCache(std::uint8_t min_level = 8, std::size_t max_nodes = 1u << 20)
      : min_level_(min_level), max_nodes_(max_nodes) {}

  Result<std::vector<Hash>> Read(Store& store, std::span<const NodeId> ids);
  std::size_t size() const;

 private:
  static std::uint64_t Key(const NodeId& n) { return (std::uint64_t{n.level} << 56) | n.index; }
  std::uint8_t min_level_;
  std::size_t max_nodes_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::uint64_t, Hash> nodes_;
};

// A NodeReader over `store` that uses `cache`; both must outlive it.
NodeReader CachedNodeReader(Store& store, NodeCache& cache);

}  // namespace rampart::ledger
