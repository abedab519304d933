// Dataset manifests: the OMS hashing of a training-data tree, kept as a JSON
// snapshot (docs/formats/dataset-manifest.md), and the difference between
// two snapshots - how a team notices that what the training job reads is not
// what was signed off.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "artifacts/model_hasher.h"
#include "core/clock.h"
#include "core/status.h"

namespace rampart::artifacts {

inline constexpr std::string_view kManifestMediaType =
    "application/vnd.rampart.dataset-manifest.v1+json";

struct ManifestEntry {
  std::string name;
  std::uint64_t size = 0;
  std::string digest;
};

struct DatasetManifest {
  std::string name;
  std::string created;  // RFC 3339
  std::string hash_type = "sha256";
  std::string root_digest;  // OMS root digest over the entries in name order
  std::vector<ManifestEntry> files;
  std::uint64_t total_bytes() const;
};

Result<DatasetManifest> BuildManifest(const std::filesystem::path& dir, const HashOptions& options,
                                      const Clock& clock);
std::string ManifestToJson(const DatasetManifest& m);
// Validates structure, digests and the root digest.
Result<DatasetManifest> ParseManifest(std::string_view text, std::string_view source);

struct ManifestChange {
  std::string name;
  std::uint64_t old_size = 0, new_size = 0;
  std::string old_digest, new_digest;
};

struct ManifestDiff {
  std::vector<ManifestEntry> added, removed;
  std::vector<ManifestChange> changed;
  std::size_t unchanged = 0;
  bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
};

// REQUIRES: both manifests use the same hash_type (else every file differs).
ManifestDiff DiffManifests(const DatasetManifest& old_m, const DatasetManifest& new_m);

}  // namespace rampart::artifacts
