// The scanner: finds code execution in model files without executing them.
//
// Every file is identified by its content (magic bytes), never by its name,
// and opened the way its loader opens it: zip archives (PyTorch, TorchScript,
// .npz, .keras) with the lenient zip reader, tar/7z/rar/cpio/ar and
// gzip/bz2/xz/zstd/lz4 streams with libarchive, pickles (plain, legacy
// PyTorch, joblib, numpy object arrays) with the pickle-machine emulator,
// safetensors, GGUF and ONNX with their own checkers. Containers nest up to a
// depth limit; decompressed bytes, member counts and ratios are bounded (zip
// bombs); symlinks are reported, not followed, unless allowed.
//
// Fail closed: every file and every container member ends either inspected
// or with a finding that says why it was not (scan.unrecognized,
// scan.truncated, scan.member-unreadable, archive.encrypted, archive.bomb,
// ...), and FileReport::coverage says which. Bytes that merely start like a
// pickle (any protocol, with or without PROTO) go through the pickle machine;
// known inert formats (text, images, audio) are skipped with an info finding.
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
  ScanLimits limits;  // usually policy->limits() (ForPolicy)
  PickleLimits pickle;
  GgufLimits gguf;

  // Options that use `policy` and its limits.
  static ScanOptions ForPolicy(const Policy& policy);
};

class Scanner {
 public:
  explicit Scanner(ScanOptions options);

  // Scans files and directories (walked recursively; symlinks reported and
  // not followed unless options.follow_symlinks: a link whose target is
  // scanned in the same run is info, any other high). One report per file
  // found, in a stable order. A file that only an ONNX model of the same run
  // names as its external data is skipped as raw tensor bytes instead of
  // unrecognized. `progress`, if set, is called after each file.
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
