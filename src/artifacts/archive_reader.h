// Archives and compressed streams through libarchive: tar, 7z, rar (v4 and
// v5), cpio, ar and any of them compressed with gzip, bzip2, xz, lzma, zstd
// or lz4; a compressed file that is not an archive reads as one entry
// ("data"). Encrypted members are flagged (ArchiveEntryInfo::encrypted);
// errors carry libarchive's words ("truncated", "encrypted", ...), which
// ReadErrorRule (finding.h) classifies.
// Zip is not read here (zip_reader.h opens it the way PyTorch does).
//
// Entries stream: the data of entry N is readable until Next() moves on.
// Thread-safety: one reader per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "artifacts/byte_io.h"
#include "core/status.h"

struct archive;

namespace rampart::artifacts {

struct ArchiveEntryInfo {
  enum class Type { kFile, kDirectory, kSymlink, kOther };
  std::string path;
  Type type = Type::kFile;
  std::optional<std::uint64_t> size;
  std::string link_target;
  bool encrypted = false;
};

class ArchiveReader {
 public:
  // Reads from `in` (which must outlive the reader). `seekable`, when given,
  // lets formats that need it (7z) seek; it must be the same bytes as `in`.
  static Result<std::unique_ptr<ArchiveReader>> Open(InputStream* in,
                                                     const RandomAccess* seekable = nullptr);
  ~ArchiveReader();

  // The next entry, or nullopt at the end.
  Result<std::optional<ArchiveEntryInfo>> Next();
  // The current entry's data.
  InputStream& data() { return *data_; }
  // Compressed bytes consumed so far (for ratio limits).
  std::uint64_t compressed_bytes() const;
  std::string format_name() const;
  std::string filter_names() const;

  struct Source;  // the read callbacks' state (archive_reader.cc)

 private:
  ArchiveReader() = default;
  struct archive* a_ = nullptr;
  std::unique_ptr<Source> src_;
  std::unique_ptr<InputStream> data_;
};

}  // namespace rampart::artifacts
