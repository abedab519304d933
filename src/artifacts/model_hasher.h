// Hashing a model or dataset the OMS way (docs/formats/oms.md): enumerate
// regular files under a root (or the single file), skipping the default and
// user ignore paths, refusing symlinks unless allowed, and hash every file -
// or every shard_size byte range - on a pool of threads. Reads go through a
// fixed buffer per thread (pread), so memory stays small for any file size.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace rampart::artifacts {

// Paths OMS excludes by default, matched as top-level components.
inline const std::vector<std::string>& DefaultIgnorePaths() {
  static const std::vector<std::string> k = {".git", ".gitignore", ".gitattributes", ".github"};
  return k;
}

enum class DigestAlgorithm { kSha256, kBlake2b };
Result<DigestAlgorithm> ParseDigestAlgorithm(std::string_view name);  // "sha256", "blake2b"
std::string_view DigestAlgorithmName(DigestAlgorithm a);

struct HashOptions {
  DigestAlgorithm algorithm = DigestAlgorithm::kSha256;
  std::optional<std::uint64_t> shard_size;  // set: "shards" method
  bool allow_symlinks = false;
  // Relative paths (from the root) excluded with their subtrees.
  std::vector<std::string> ignore_paths;
  unsigned threads = 0;  // 0: one per core
  std::size_t buffer = 4u << 20;
};

// One regular file found under the root.
struct ModelFile {
  std::string name;            // canonical relative path ("/" separators)
  std::filesystem::path path;  // on disk
  std::uint64_t size = 0;
};

struct HashedResource {
  std::string name;  // "<path>" or "<path>:<start>:<end>"
  std::string file;  // the file's canonical path
  std::uint64_t start = 0, end = 0;
  std::string digest;  // lowercase hex
};

// True if `rel` is `ignore` or lies under it.
bool IsIgnored(std::string_view rel, const std::vector<std::string>& ignore_paths);

// Lists the files of a model. A single file is named by its basename.
// Symlinks fail with InvalidArgument unless allowed (then their targets are
// hashed under the link's name). Non-UTF-8 names fail.
Result<std::vector<ModelFile>> EnumerateModel(const std::filesystem::path& root,
                                              const HashOptions& options);

// Hashes the given byte ranges of files in parallel; results in input order.
struct HashJob {
  std::filesystem::path path;
  std::uint64_t start = 0, end = 0;
};
Result<std::vector<std::string>> HashRanges(const std::vector<HashJob>& jobs,
                                            DigestAlgorithm algorithm, unsigned threads,
                                            std::size_t buffer = 4u << 20);

// Enumerates and hashes a model; resources sorted by name (code points).
Result<std::vector<HashedResource>> HashModel(const std::filesystem::path& root,
                                              const HashOptions& options);

// The OMS root digest: SHA-256 over the concatenated raw digests, in order.
Result<std::string> RootDigest(const std::vector<std::string>& hex_digests);

}  // namespace rampart::artifacts
