#include "ledger/node_cache.h"

#include <mutex>

namespace rampart::ledger {

Result<std::vector<Hash>> NodeCache::Read(Store& store, std::span<const NodeId> ids) {
  std::vector<Hash> out(ids.size());
  std::vector<NodeId> missing;
  std::vector<std::size_t> where;
  {
    std::shared_lock lock(mu_);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (ids[i].level >= min_level_) {
        auto it = nodes_.find(Key(ids[i]));
        if (it != nodes_.end()) {
          out[i] = it->second;
          continue;
        }
      }
      missing.push_back(ids[i]);
      where.push_back(i);
    }
  }
  if (missing.empty()) return out;
  RAMPART_ASSIGN_OR_RETURN(std::vector<Hash> read, store.ReadNodes(missing));
  bool keep = false;
  for (std::size_t j = 0; j < missing.size(); ++j) {
    out[where[j]] = read[j];
    keep |= missing[j].level >= min_level_;
  }
  if (keep) {
    std::unique_lock lock(mu_);
    for (std::size_t j = 0; j < missing.size() && nodes_.size() < max_nodes_; ++j) {
      if (missing[j].level >= min_level_) nodes_.emplace(Key(missing[j]), read[j]);
    }
  }
  return out;
}

std::size_t NodeCache::size() const {
  std::shared_lock lock(mu_);
  return nodes_.size();
}

NodeReader CachedNodeReader(Store& store, NodeCache& cache) {
  return [&store, &cache](std::span<const NodeId> ids) { return cache.Read(store, ids); };
}

}  // namespace rampart::ledger
