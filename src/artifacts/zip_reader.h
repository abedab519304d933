// A lenient zip reader that opens archives the way PyTorch's loader does:
// it trusts the central directory (found from the end-of-central-directory
// record, zip64 included) and finds each member's data through its local
// header, but where PyTorch or Python's zipfile would shrug, it records an
// issue instead of failing: bad CRCs (checked by CrcCheckingStream), odd flag
// bits, local/central header disagreement, duplicate names, overlapping
// members, members hidden between the listed ones, encryption, methods other
// than stored/deflate. Without a readable central directory it falls back to
// walking local headers, so nothing is skipped just because it is damaged.
//
// Thread-safety: a ZipReader is immutable after Open; OpenEntry may be
// called from several threads if the RandomAccess allows concurrent reads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "artifacts/byte_io.h"
#include "core/status.h"

namespace rampart::artifacts {

struct ZipLimits {
  std::uint64_t max_entries = 100000;
  std::uint64_t max_entry_size = 64ull << 30;  // uncompressed bytes per member
  double max_ratio = 1000.0;                   // uncompressed / compressed
  std::uint64_t ratio_floor = 100ull << 20;    // ratio is only checked above this size
};

struct ZipEntry {
  std::string name;
  std::uint16_t method = 0;
  std::uint16_t flags = 0;
  std::uint32_t crc = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t uncompressed_size = 0;
  std::uint64_t local_offset = 0;  // of the local header
  std::uint64_t data_offset = 0;   // of the member's data
  bool in_central_directory = true;
};

struct ZipIssue {
  std::string rule;  // zip.malformed, zip.crc-mismatch, ...
  std::string message;
  std::string entry;  // member name, "" for the archive itself
  std::uint64_t offset = 0;
};

class ZipReader {
 public:
  // Fails only if `blob` is not recognisably a zip at all.
  static Result<ZipReader> Open(const RandomAccess* blob, const ZipLimits& limits = {});

  const std::vector<ZipEntry>& entries() const { return entries_; }
  const std::vector<ZipIssue>& issues() const { return issues_; }

  // A stream of the member's uncompressed bytes, capped at `max_output`.
  // Unsupported methods and encrypted members fail with InvalidArgument.
  Result<std::unique_ptr<InputStream>> OpenEntry(const ZipEntry& e, std::uint64_t max_output) const;

 private:
  explicit ZipReader(const RandomAccess* blob) : blob_(blob) {}
  Status ReadCentralDirectory(const ZipLimits& limits);
  void ReadLocalHeaders(const ZipLimits& limits);
  void CheckLocalHeader(ZipEntry& e);
  void CheckLayout(const ZipLimits& limits);
  void Issue(std::string rule, std::string message, std::string entry, std::uint64_t offset) {
    issues_.push_back({std::move(rule), std::move(message), std::move(entry), offset});
  }

  const RandomAccess* blob_;
  std::vector<ZipEntry> entries_;
  std::vector<ZipIssue> issues_;
  std::uint64_t cd_offset_ = 0;
};

// Computes CRC-32 of everything read through it; Matches() is meaningful
// only after the wrapped stream reached its end.
class CrcCheckingStream final : public InputStream {
 public:
  explicit CrcCheckingStream(std::unique_ptr<InputStream> in) : in_(std::move(in)) {}
  Result<std::size_t> Read(std::uint8_t* dst, std::size_t n) override;
  bool at_end() const { return at_end_; }
  std::uint32_t crc() const { return crc_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  std::unique_ptr<InputStream> in_;
  std::uint32_t crc_ = 0;
  std::uint64_t bytes_ = 0;
  bool at_end_ = false;
};

}  // namespace rampart::artifacts
