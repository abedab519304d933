// The scanner: finds code execution in model files without executing them.
//
// Every file is identified by its content (magic bytes), never by its name,
// and opened the way its loader opens it: zip archives (PyTorch, .npz,
// .keras) with the lenient zip reader, tar/7z and gzip/bz2/xz/zstd/lz4
// streams with libarchive, pickles (plain, legacy PyTorch, joblib, numpy
// object arrays) with the pickle-machine emulator, safetensors, GGUF and ONNX
// with their own checkers. Containers nest up to a depth limit; decompressed
// bytes, member counts and ratios are bounded (zip bombs); symlinks are
// reported, not followed, unless allowed.
//
// Thread-safety: Scan() runs files in parallel on its own threads; a Scanner
// may be used by one caller at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "artifacts/finding.h"
#include "artifacts/gguf.h"
#include "artifacts/pickle_machine.h"
#include "artifacts/policy.h"
#include "artifacts/zip_reader.h"

namespace rampart::artifacts {

struct ScanOptions {
  const Policy* policy = nullptr;  // nullptr: Policy::Default()
  unsigned jobs = 0;               // parallel files; 0: one per core
  bool follow_symlinks = false;
  int max_depth = 5;                             // containers inside containers
  std::uint64_t max_uncompressed = 64ull << 30;  // decompressed bytes per top-level file
  std::uint64_t max_members = 200000;            // container members per top-level file
  std::uint64_t max_spill = 16ull << 30;      // a nested zip/7z copied to a temp file to seek in it
  std::uint64_t max_text_member = 64u << 20;  // config.json and friends read whole
  double max_ratio = 1000.0;                  // decompressed / compressed, above ratio_floor
  std::uint64_t ratio_floor = 100ull << 20;
  PickleLimits pickle;
  GgufLimits gguf;
};

class Scanner {
 public:
  explicit Scanner(ScanOptions options);

  // Scans files and directories (walked recursively; symlinks reported and
  // not followed unless options.follow_symlinks). One report per file found,
  // in a stable order. `progress`, if set, is called after each file.
  std::vector<FileReport> Scan(
      const std::vector<std::filesystem::path>& paths,
      const std::function<void(std::size_t done, std::size_t total)>& progress = nullptr);

  // Scans one regular file.
  FileReport ScanFile(const std::filesystem::path& path);
  // Scans bytes in memory as if they were a file named `name`.
  FileReport ScanBytes(std::string_view data, std::string name);

  const ScanOptions& options() const { return opt_; }

 private:
  ScanOptions opt_;
};

}  // namespace rampart::artifacts
